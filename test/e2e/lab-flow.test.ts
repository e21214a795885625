import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, fillWizard, labInBrowser, openWizard, saveScreenshot, submitWizard } from './harness';

/** Renders of the monitor panel per second over a window, from the counter it keeps in the DOM. */
async function measureRenders(page: Page, windowMs: number): Promise<number> {
  const renders = async () => Number(await page.getByTestId('monitor-panel').getAttribute('data-renders'));
  const start = await renders();
  const startMs = Date.now();
  await page.waitForTimeout(windowMs);
  return ((await renders()) - start) / ((Date.now() - startMs) / 1000);
}

// Page-side expressions are strings: this file is type-checked for Node, without the DOM library.
describe('the lab as a new user meets it, in Chromium through the browser lab host', () => {
  const { lab, browser } = labInBrowser('flow');

  it('creates a 4-member RAID5 with a spare, writes the pattern, fails a member, watches the spare rebuild to 100%, verifies, and reads it in Chinese', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 860 });

    // 1. The wizard, keyboard first: the fields are plain labelled controls.
    await openWizard(page);
    // Big enough that a full-speed rebuild lasts seconds, so the monitor can be watched and measured.
    await fillWizard(page, { members: 4, spares: 1, size: 1, unit: 'GiB', id: 'lab-e2e' });
    await expect.poll(() => page.getByTestId('wz-nominal').textContent()).toBe('5.00 GiB');
    await saveScreenshot(page, 'lab-1-wizard');

    // 2. The array view: five disks, the spare trick's recovery onto the last slot runs by itself.
    await submitWizard(page);
    expect(await page.locator('[data-testid="member-disks"] li').count()).toBe(5);
    await expect.poll(() => page.getByTestId('detail-sync-action').textContent(), { timeout: 60_000 }).toBe('idle');
    expect(await page.getByTestId('disk-disk4.img').getAttribute('data-status')).toBe('spare');
    expect(await page.getByTestId('mdstat').textContent()).toContain('[4/4] [UUUU]');
    await page.getByTestId('map-sector').fill('5000');
    await page.getByTestId('map-go').click();
    await page.getByTestId('map-result').waitFor();
    await saveScreenshot(page, 'lab-2-array');

    // 3. The pattern, written through md.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-extent').selectOption({ label: 'the first 64 MiB' });
    await page.getByTestId('pattern-write').click();
    await page.locator('[data-testid="pattern-result"][data-op="write"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('hex-offset').fill(String(5000 * 512));
    await page.getByTestId('hex-go').click();
    await page.getByTestId('hex-map').waitFor();
    // Through md and straight from the member: the same record of sector 5000.
    expect(await page.getByTestId('hex-array').textContent()).toContain('05000:mdlab');
    expect(await page.getByTestId('hex-data').textContent()).toContain('05000:mdlab');
    expect(await page.getByTestId('hex-map').textContent()).toContain('disk0.img');
    await saveScreenshot(page, 'lab-3-pattern');

    // 4. Fail a member; md refuses to remove a working one, and says why.
    await page.getByTestId('nav-failure').click();
    await page.getByTestId('remove-disk0.img').click();
    await expect.poll(() => page.getByTestId('manage-refusal').textContent()).toContain('busy');
    await page.getByTestId('fail-disk1.img').click();
    await page.getByTestId('manage-done').waitFor();

    // 5. The monitor: recovery onto the spare, live, to 100%.
    await page.getByTestId('nav-monitor').click();
    await expect.poll(() => page.getByTestId('sync-progress').getAttribute('data-state'), { timeout: 10_000 }).toBe('running');
    const renders = await measureRenders(page, 1000);
    expect(await page.getByTestId('sync-progress').getAttribute('data-state')).toBe('running');
    await saveScreenshot(page, 'lab-4-rebuilding');
    await expect.poll(() => page.getByTestId('sync-progress').getAttribute('data-state'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('sync-percent').textContent()).toBe('100.0%');
    // Counted in the page over the whole rebuild: state events received while md reported progress.
    const runRate = Number(await page.getByTestId('sync-progress').getAttribute('data-run-rate'));
    // Reported, not asserted: rates are a benchmark's business (test/bench/lab.bench.ts); here they must merely exist.
    console.log(`monitor during a full-speed rebuild: ${runRate.toFixed(1)} state events/s received, ${renders.toFixed(1)} panel renders/s`);
    writeFileSync(path.join(ARTIFACTS_DIR, 'lab-monitor-rate.json'), `${JSON.stringify({ stateEventsPerSec: runRate, monitorRendersPerSec: renders })}\n`);
    expect(runRate).toBeGreaterThan(0);
    expect(renders).toBeGreaterThan(0);
    await saveScreenshot(page, 'lab-5-rebuilt');

    // 6. Every sector still reads back as written, now with the spare in disk1's slot.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-verify').click();
    await page.locator('[data-testid="pattern-result"][data-op="verify"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('pattern-result').getAttribute('data-bad')).toBe('0');
    await page.getByTestId('nav-array').click();
    expect(await page.getByTestId('disk-disk4.img').getAttribute('data-status')).toBe('in_sync');
    expect(await page.getByTestId('disk-disk1.img').getAttribute('data-status')).toBe('faulty');

    // 7. The trace and the log saw it happen.
    await page.getByTestId('nav-trace').click();
    await page.getByTestId('trace-fn').selectOption('md_check_recovery');
    await page.locator('[data-testid="trace-table"] tbody tr').first().click();
    expect(await page.getByTestId('trace-explain-text').textContent()).toContain('md_check_recovery');
    await saveScreenshot(page, 'lab-6-trace');
    await page.getByTestId('nav-log').click();
    expect(await page.getByTestId('log-lines').textContent()).toContain('Disk failure on disk1.img');

    // 8. The same lab in Chinese.
    await page.getByTestId('locale-select').selectOption('zh-CN');
    await page.getByTestId('nav-array').click();
    expect(await page.getByTestId('disk-disk4.img').textContent()).toContain('已同步');
    expect(await page.getByTestId('disk-disk1.img').textContent()).toContain('故障');
    const file = await saveScreenshot(page, 'lab-7-chinese');
    expect(statSync(file).size).toBeGreaterThan(10_000);

    // 9. The dark theme, on the monitor's finished rebuild.
    await page.getByTestId('locale-select').selectOption('en');
    await page.getByTestId('theme-select').selectOption('dark');
    await page.getByTestId('nav-monitor').click();
    expect(await page.getByTestId('sync-progress').getAttribute('data-state')).toBe('finished');
    await saveScreenshot(page, 'lab-8-dark-monitor');
    expect(errors).toEqual([]);
  }, 300_000);
});
