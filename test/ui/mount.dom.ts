import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import { installClient } from '../../renderer/src/api';
import { createMdlabI18n, type Locale } from '../../renderer/src/i18n';
import type { TestHost } from './host';

/**
 * Mounts a panel as the renderer runs it against `test`'s real engine host: the host's client installed,
 * a fresh Pinia, and the catalogue of `locale`.
 */
export function mountOnHost(test: TestHost, component: Component, options: { props?: Record<string, unknown>; locale?: Locale; attach?: boolean } = {}) {
  installClient(test.client);
  const pinia = createPinia();
  const wrapper = mount(component, {
    props: options.props,
    global: { plugins: [pinia, createMdlabI18n(options.locale ?? 'en')] },
    attachTo: options.attach ? document.body : undefined,
  });
  return { wrapper, pinia };
}
