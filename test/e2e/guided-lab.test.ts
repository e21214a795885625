import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { labInBrowser, saveScreenshot } from './harness';

/** The lab's checklist as the panel shows it: each step's verdict, in order. */
async function verdicts(page: Page): Promise<string> {
  const steps = page.locator('[data-testid="lab-steps"] > li');
  const out: string[] = [];
  for (let i = 0; i < (await steps.count()); i++) out.push((await steps.nth(i).getAttribute('data-verdict'))!);
  return out.join(' ');
}

describe('a guided lab run live in Chromium through the browser lab host', () => {
  const { lab, browser } = labInBrowser('guided');

  it('starts rebuild-spare, ticks the fail the student makes in the Failure panel, shows the rest on request, and finishes', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 900 });

    // 1. The lab, started as a session of its own: create is ticked, the pattern write is current.
    await page.getByTestId('nav-labs').click();
    await page.getByTestId('lab-rebuild-spare').click();
    await page.getByTestId('lab-start').click();
    await page.getByTestId('guided-current').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('session-name').textContent()).toBe('rebuild-spare');
    expect(await verdicts(page)).toBe('pass current pending pending pending');
    await saveScreenshot(page, 'lab-guided-1-started');

    // 2. Show me the write: done through md, journaled, ticked.
    await page.getByTestId('lab-show-me').click();
    await expect.poll(() => page.getByTestId('guided-current').getAttribute('data-step'), { timeout: 30_000 }).toBe('fail-member');

    // 3. By hand in the Failure panel: fail disk1.img. Back in the labs panel the step is ticked.
    await page.getByTestId('nav-failure').click();
    await page.getByTestId('fail-disk1.img').click();
    await page.getByTestId('manage-done').waitFor();
    await page.getByTestId('nav-labs').click();
    await expect.poll(() => page.locator('[data-testid="lab-step-fail-member"]').getAttribute('data-verdict'), { timeout: 30_000 }).toBe('pass');
    await saveScreenshot(page, 'lab-guided-2-failed-by-hand');

    // 4. md rebuilds onto the spare by itself; the wait step ticks when it is done. Then Show me the remove.
    await expect.poll(() => page.getByTestId('guided-current').getAttribute('data-step'), { timeout: 60_000 }).toBe('remove-failed');
    await page.getByTestId('lab-show-me').click();
    await page.getByTestId('guided-finished').waitFor({ timeout: 30_000 });
    expect(await verdicts(page)).toBe('pass pass pass pass pass');
    expect(await page.getByTestId('guided-lab').getAttribute('data-state')).toBe('finished');
    await saveScreenshot(page, 'lab-guided-3-finished');

    // The session's journal holds what was done, by hand and shown alike; lab.json says the lab is finished.
    await page.getByTestId('nav-sessions').click();
    const folder = (await page.locator('[data-testid="current-session"] dd').nth(1).textContent())!;
    expect(path.basename(folder)).toBe('rebuild-spare');
    const journal = readFileSync(path.join(folder, 'journal.jsonl'), 'utf8');
    for (const step of ['"write":{"pattern":"lba","tag":"mdlab1"', '"fail":"disk1.img"', '"remove":"disk1.img"']) expect(journal).toContain(step);
    expect(JSON.parse(readFileSync(path.join(folder, 'lab.json'), 'utf8'))).toEqual({ lab: 'rebuild-spare', current: 5, acted: false });
    expect(errors).toEqual([]);
  });
});
