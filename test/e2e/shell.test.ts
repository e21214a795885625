import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import type { LabHost } from '../../core/lab/server';
import { launchBrowser, saveScreenshot, startLab, type Browser } from './harness';

// Page-side expressions are strings: this file is type-checked for Node, without the DOM library.
describe('renderer in Chromium against the lab host', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function withLab(run: (lab: LabHost) => Promise<void>): Promise<void> {
    const lab = await startLab();
    try {
      await run(lab);
    } finally {
      await lab.close();
    }
  }

  it("loads with no console errors and shows the engine host's own identity after a round trip", async () => {
    await withLab(async (lab) => {
      const hostReply = await lab.engine.request('engine.info', {});
      if (!hostReply.ok) throw new Error(hostReply.error.message);
      const { host } = hostReply.result as { host: { kind: string; pid: number; threadId: number } };

      const { page, errors } = await browser.openPage(lab.url);
      await page.getByTestId('nav-engine').click();
      const hostText = page.getByTestId('engine-host');
      await hostText.waitFor();
      // Only the engine host knows its thread id: the page can show it only if the round trip happened.
      expect(await hostText.textContent()).toContain(`${host.kind}, pid ${host.pid}, thread ${host.threadId}`);
      expect(await page.getByTestId('engine-version').textContent()).toBe(`mdlab ${packageJson.version}`);
      expect(await page.getByTestId('engine-levels').textContent()).toBe('RAID4, RAID5');

      await page.getByTestId('ping-button').click();
      await expect.poll(() => page.getByTestId('ping-result').textContent(), { timeout: 30_000 }).toMatch(/Answered ping [0-9a-f]{12} in [\d.]+ ms/);

      const file = await saveScreenshot(page, 'shell-engine-info');
      expect(statSync(file).size).toBeGreaterThan(1000);
      expect(errors).toEqual([]);
      await page.close();
    });
  });

  // Either way the page must say why and show no engine facts: it never invents what the host did not say.
  it.each([
    {
      why: 'the engine host is not running',
      code: 'HOST_DOWN',
      open: async (lab: LabHost) => {
        await lab.engine.close();
        return lab.url;
      },
    },
    { why: 'the page was opened without the token', code: 'DISCONNECTED', open: async (lab: LabHost) => `http://127.0.0.1:${lab.port}/` },
  ])('shows the engine as unreachable, not made-up info, when $why', async ({ code, open }) => {
    await withLab(async (lab) => {
      const { page } = await browser.openPage(await open(lab));
      await page.getByTestId('nav-engine').click();
      await page.getByTestId('engine-error').waitFor();
      expect(await page.getByTestId('engine-error').textContent()).toContain(code);
      expect(await page.getByTestId('engine-info').count()).toBe(0);
      await page.close();
    });
  });

  it('switches to the dark theme and to Chinese, and remembers both after a reload', async () => {
    await withLab(async (lab) => {
      const { page, errors } = await browser.openPage(lab.url);
      const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
      await page.getByTestId('theme-select').selectOption('light');
      const light = await background();
      await page.getByTestId('theme-select').selectOption('dark');
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
      expect(await background()).not.toBe(light);
      await page.getByTestId('locale-select').selectOption('zh-CN');
      await page.reload();
      await page.getByTestId('nav-engine').click();
      await page.getByTestId('engine-info').waitFor();
      expect(await page.locator('h2').first().textContent()).toBe('引擎宿主');
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
      await saveScreenshot(page, 'shell-dark-zh');
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
