import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createInWizard, labInBrowser, saveScreenshot } from './harness';

// Page-side expressions are strings: this file is type-checked for Node, without the DOM library.
describe('a fault on the timeline, in Chromium through the browser lab host', () => {
  const { lab, browser } = labInBrowser('faults');

  it('schedules a read error at 30% of a recovery; it fires there, and md corrects it from parity when the data is read', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 1000 });

    // A 4-member RAID5 with a spare; the spare trick's first recovery runs to the end.
    await createInWizard(page, { members: 4, spares: 1, size: 64, unit: 'MiB', id: 'faults-e2e' });
    await expect.poll(() => page.getByTestId('detail-sync-action').textContent(), { timeout: 60_000 }).toBe('idle');
    // The stripe map says where array sector 0 lives: disk0, at the data offset mdadm chose.
    await page.getByTestId('map-sector').fill('0');
    await page.getByTestId('map-go').click();
    await page.getByTestId('map-result').waitFor();
    const mapped = /disk 0 \(disk0\.img\).* image sector (\d+)$/.exec((await page.getByTestId('map-data').textContent()) ?? '');
    expect(mapped).not.toBeNull();
    const sector = Number(mapped![1]);

    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-extent').selectOption({ label: 'the first 16 MiB' });
    await page.getByTestId('pattern-write').click();
    await page.locator('[data-testid="pattern-result"][data-op="write"]').waitFor({ timeout: 60_000 });

    // disk0's first data sector stops reading once the recovery is 30% done:
    // by then the recovery has passed it, so the row is whole again when a read meets the bad sector.
    await page.getByTestId('nav-failure').click();
    await page.getByTestId('fault-member').selectOption('disk0.img');
    await page.getByTestId('fault-kind').selectOption('read-error');
    await page.getByTestId('fault-start').fill(String(sector));
    await page.getByTestId('fault-length').fill('8');
    await page.getByTestId('when-progress').check();
    await page.getByTestId('when-percent').fill('30');
    await page.getByTestId('when-action').selectOption('recover');
    await page.getByTestId('fault-inject').click();
    await expect.poll(() => page.getByTestId('fault-pending').textContent()).toContain(`scheduled at 30% of recovery: reads of sectors ${sector}–${sector + 7} fail`);

    // A member fails; recovery onto the spare starts, and the timeline fires the fault at 30%.
    await page.getByTestId('fail-disk1.img').click();
    await page.getByTestId('manage-done').waitFor();
    await expect.poll(() => page.getByTestId('fault-fired').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`fired at 30% of recovery \\(t=[\\d.]+ s\\): reads of sectors ${sector}–${sector + 7} fail`));
    expect(await page.getByTestId('fault-pending').textContent()).toBe('');
    await page.getByTestId('nav-array').click();
    await expect.poll(() => page.getByTestId('detail-sync-action').textContent(), { timeout: 60_000 }).toBe('idle');
    expect(await page.getByTestId('disk-disk4.img').getAttribute('data-status')).toBe('in_sync');

    // Reading the data meets the bad sector: md rebuilds it from the other members, rewrites and re-reads it.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-verify').click();
    await page.locator('[data-testid="pattern-result"][data-op="verify"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('pattern-result').getAttribute('data-bad')).toBe('0');

    await page.getByTestId('nav-failure').click();
    await expect.poll(() => page.getByTestId('errors-disk0.img').textContent()).toBe('8');
    await expect.poll(() => page.locator('[data-testid="timeline-disk0.img"] [data-testid="fault-list"]').textContent()).toContain('0 bad sector(s) left');
    expect(await page.getByTestId('manage-disk0.img').locator('.status').textContent()).toBe('in sync');
    // The picture of the lesson: the form as it was filled in, md's corrected-read count, and the member's timeline.
    await page.getByTestId('when-progress').check();
    await page.getByTestId('fault-start').fill(String(sector));
    await page.setViewportSize({ width: 1280, height: 1400 });
    const file = await saveScreenshot(page, 'lab-9-scheduled-fault');
    expect(statSync(file).size).toBeGreaterThan(10_000);

    await page.getByTestId('nav-log').click();
    expect(await page.getByTestId('log-lines').textContent()).toContain('read error corrected');
    expect(errors).toEqual([]);
  }, 300_000);

  it('a power cut during a rebuild and a write: md will not start the dirty degraded array, and --force does', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 900 });
    // Big enough (sparse, so it costs nothing) that the rebuild is still running when it is slowed down.
    await createInWizard(page, { members: 4, spares: 0, size: 2, unit: 'GiB', id: 'force-e2e' });

    // The spare trick's rebuild, held slow, so the array stays degraded while it is written.
    await page.getByTestId('nav-monitor').click();
    await page.getByTestId('limit-max').fill('2000');
    await page.getByTestId('limit-max').press('Enter');
    await page.getByTestId('nav-array').click();
    expect(await page.getByTestId('detail-sync-action').textContent()).toBe('recover');
    await page.getByTestId('nav-failure').click();
    await page.getByTestId('power-when-nth-write').check();
    await page.getByTestId('power-when-nth').fill('2');
    await page.getByTestId('power-member').selectOption('disk0.img');
    await page.getByTestId('power-survival').fill('0');
    await page.getByTestId('power-cut-submit').click();
    await page.getByTestId('power-cancel-1').waitFor();

    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-extent').selectOption({ label: 'the first 16 MiB' });
    await page.getByTestId('pattern-write').click();
    await page.getByTestId('session-force-offer').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('session-bar-error').textContent()).toBe('md0 assembled from 3 drives - not enough to start the array while not clean - consider --force.');
    const file = await saveScreenshot(page, 'lab-10-force');
    expect(statSync(file).size).toBeGreaterThan(10_000);

    await page.getByTestId('session-force').click();
    await page.getByTestId('session-name').waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-array').click();
    await expect.poll(() => page.getByTestId('detail-sync-action').textContent(), { timeout: 30_000 }).toBe('recover');
    await page.getByTestId('nav-log').click();
    await expect.poll(() => page.getByTestId('log-lines').textContent()).toContain("Marking array md0 as 'clean'");
    expect(errors).toEqual([]);
  }, 300_000);
});
