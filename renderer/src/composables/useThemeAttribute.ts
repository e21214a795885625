import { onScopeDispose, ref, watchEffect, type Ref } from 'vue';
import type { Theme } from '../stores/preferences';

/** Keep <html data-theme> on 'light' or 'dark', following the OS while the preference is 'system'. */
export function useThemeAttribute(theme: Ref<Theme>): void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const systemDark = ref(query.matches);
  const onChange = (event: MediaQueryListEvent) => (systemDark.value = event.matches);
  query.addEventListener('change', onChange);
  onScopeDispose(() => query.removeEventListener('change', onChange));

  watchEffect(() => {
    const dark = theme.value === 'dark' || (theme.value === 'system' && systemDark.value);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  });
}
