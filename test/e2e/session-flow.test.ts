import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fillWizard, labInBrowser, saveScreenshot, submitWizard } from './harness';

/** Every member's picture, image by image, as the array view draws it. */
async function memberStates(page: Page): Promise<Record<string, string | null>> {
  const disks = page.locator('[data-testid="member-disks"] > li');
  const out: Record<string, string | null> = {};
  for (let i = 0; i < (await disks.count()); i++) {
    const testId = (await disks.nth(i).getAttribute('data-testid'))!;
    out[testId.replace(/^disk-/, '')] = await disks.nth(i).getAttribute('data-status');
  }
  return out;
}

/** Waits until the replay stands at `position` with no replay in flight, and says what was done last. */
async function replayAt(page: Page, position: number): Promise<string> {
  await expect.poll(() => page.getByTestId('replay-position').getAttribute('data-position'), { timeout: 30_000 }).toBe(String(position));
  await expect.poll(() => page.getByTestId('replay').getAttribute('data-busy'), { timeout: 30_000 }).toBe('false');
  return (await page.getByTestId('replay-last').textContent())!;
}

// Page-side expressions are strings: this file is type-checked for Node, without the DOM library.
describe('an experiment kept as a session, in Chromium through the browser lab host', () => {
  const { lab, browser, workspace } = labInBrowser('session');

  it('creates an array as a session, fails a member, writes a note, saves it as a new one, closes, reopens it from Recent intact and replays its journal', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 860 });

    // 1. No array yet: the welcome screen leads to New, Open and the labs.
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByTestId('session-none').isVisible()).toBe(true);
    await saveScreenshot(page, 'session-1-welcome');

    // 2. New: the wizard creates the array into a session (in the browser lab: a folder of the workspace).
    await page.getByTestId('welcome-new').click();
    await page.getByTestId('wz-plan').waitFor();
    await fillWizard(page, { members: 4, spares: 0, size: 32, unit: 'MiB', id: 'exp-1' });
    await page.getByTestId('wz-clean').check();
    await expect.poll(() => page.getByTestId('wz-initial-sync').textContent()).toContain('assumed');
    await submitWizard(page);
    expect(await page.getByTestId('session-name').textContent()).toBe('exp-1');
    expect(statSync(path.join(workspace(), 'exp-1', 'manifest.json')).isFile()).toBe(true);

    // 3. The pattern through md, then member 1 fails.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-extent').selectOption({ label: 'the first 16 MiB' });
    await page.getByTestId('pattern-write').click();
    await page.locator('[data-testid="pattern-result"][data-op="write"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-failure').click();
    await page.getByTestId('fail-disk1.img').click();
    await page.getByTestId('manage-done').waitFor();
    await page.getByTestId('nav-array').click();
    const before = await memberStates(page);
    expect(before).toEqual({ 'disk0.img': 'in_sync', 'disk1.img': 'faulty', 'disk2.img': 'in_sync', 'disk3.img': 'in_sync' });
    await saveScreenshot(page, 'session-2-failed');

    // 4. A note, saved by itself once typing stops.
    const note = 'Failed disk1 on purpose after writing 16 MiB of the lba pattern.';
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('session-notes').fill(note);
    await expect.poll(() => page.getByTestId('notes-state').getAttribute('data-state')).toBe('saved');
    await expect.poll(() => page.getByTestId('session-saved').getAttribute('data-autosaved')).toBe('true');
    await saveScreenshot(page, 'session-3-notes');

    // 5. Save As a new name (the browser lab asks for a workspace name instead of a folder dialog), then Close.
    await page.getByTestId('session-save-as').click();
    await page.getByTestId('chooser-id').fill('exp-1-saved');
    await page.getByTestId('chooser-id').press('Enter');
    await expect.poll(() => page.getByTestId('current-session').textContent(), { timeout: 30_000 }).toContain(path.join(workspace(), 'exp-1-saved'));
    expect(readFileSync(path.join(workspace(), 'exp-1-saved', 'notes.md'), 'utf8')).toBe(note);
    await page.getByTestId('session-close').click();
    await page.getByTestId('session-none').waitFor({ timeout: 30_000 });

    // 6. Reopen it from Recent on the welcome screen: md assembles the array from the saved images.
    await page.getByTestId('nav-array').click();
    await page.getByTestId('recent-open-exp-1-saved').click();
    await page.getByTestId('member-disks').waitFor({ timeout: 30_000 });
    // As mdadm --assemble does: the members' superblocks record disk1 faulty, so md leaves it out of the array.
    const reopened = await memberStates(page);
    expect(reopened).toEqual({ ...before, 'disk1.img': 'removed' });
    expect(await page.getByTestId('mdstat').textContent()).toContain('[4/3] [U_UU]');
    await saveScreenshot(page, 'session-4-reopened');

    // 7. Intact: every sector reads back as written (disk1's share rebuilt from parity), and the note is there.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('pattern-verify').click();
    await page.locator('[data-testid="pattern-result"][data-op="verify"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('pattern-result').getAttribute('data-bad')).toBe('0');
    await page.getByTestId('nav-sessions').click();
    await expect.poll(() => page.getByTestId('session-notes').inputValue()).toBe(note);

    // 8. The journal as the host exports it, then replayed from the initial images step by step.
    await page.getByTestId('replay-current').click();
    await page.getByTestId('journal-show').click();
    const journal = (await page.getByTestId('journal-text').textContent())!;
    expect(journal).toMatch(/write:[\s\S]*fail: disk1\.img/);
    expect(await replayAt(page, 0)).toContain('assembled from the initial images');
    const length = Number(await page.getByTestId('replay-position').getAttribute('data-length'));
    expect(length).toBeGreaterThanOrEqual(2);
    const performed: string[] = [];
    for (let k = 1; k <= length; k++) {
      await page.getByTestId('replay-forward').click();
      performed.push(await replayAt(page, k));
    }
    const failAt = performed.findIndex((text) => /\bfail (disk1\.img|1)$/.test(text));
    const writeAt = performed.findIndex((text) => /write\b.*lba/.test(text));
    expect(writeAt).toBeGreaterThanOrEqual(0);
    expect(failAt).toBeGreaterThan(writeAt);
    // The replay ends where the session stands: reassembled after Save As, without disk1.
    expect(await memberStates(page)).toEqual(reopened);
    await saveScreenshot(page, 'session-5-replay-end');
    // Back to just before the failure, by keyboard: every member in sync again.
    await page.getByTestId('replay').focus();
    for (let k = length; k > failAt; k--) {
      await page.keyboard.press('ArrowLeft');
      await replayAt(page, k - 1);
    }
    expect(Object.values(await memberStates(page)).every((state) => state === 'in_sync')).toBe(true);
    await saveScreenshot(page, 'session-6-replay-before-fail');

    // 9. The same screens in Chinese.
    await page.getByTestId('locale-select').selectOption('zh-CN');
    expect(await page.getByTestId('replay-forward').textContent()).toContain('前进');
    const file = await saveScreenshot(page, 'session-7-chinese');
    expect(statSync(file).size).toBeGreaterThan(10_000);

    // 10. A guided lab graded headless, every step ticked, in the dark theme.
    await page.getByTestId('locale-select').selectOption('en');
    await page.getByTestId('theme-select').selectOption('dark');
    await page.getByTestId('nav-labs').click();
    await page.getByTestId('lab-degraded-read').click();
    await page.getByTestId('lab-run').click();
    await expect.poll(() => page.getByTestId('lab-result').getAttribute('data-ok'), { timeout: 60_000 }).toBe('true');
    const steps = page.locator('[data-testid="lab-steps"] > li');
    const verdicts: (string | null)[] = [];
    for (let i = 0; i < (await steps.count()); i++) verdicts.push(await steps.nth(i).getAttribute('data-verdict'));
    expect(verdicts.length).toBeGreaterThan(1);
    expect(verdicts.every((verdict) => verdict === 'pass')).toBe(true);
    await saveScreenshot(page, 'session-8-lab-dark');
    expect(errors).toEqual([]);
  }, 300_000);

  it('imports a scenario file as a new session: the page file picker, a workspace name, then the session runs where the scenario ended', async () => {
    const { page, errors } = await browser().openPage(lab().url);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByTestId('session-bar').waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('session-import').click();
    const yaml = readFileSync(path.join(__dirname, '..', 'scenarios', 'fail-and-rebuild.yaml'));
    await (await chooser).setFiles({ name: 'fail-and-rebuild.yaml', mimeType: 'application/yaml', buffer: yaml });
    await expect.poll(() => page.getByTestId('chooser-id').inputValue()).toBe('fail-and-rebuild');
    await page.getByTestId('chooser-id').press('Enter');
    await expect.poll(() => page.getByTestId('session-name').textContent(), { timeout: 60_000 }).toBe('fail-and-rebuild');
    // The scenario ended rebuilt and checked: md assembles all four members in sync.
    await page.getByTestId('nav-array').click();
    await expect.poll(() => page.getByTestId('mdstat').textContent(), { timeout: 30_000 }).toContain('[4/4] [UUUU]');
    expect(readFileSync(path.join(workspace(), 'fail-and-rebuild', 'journal.jsonl'), 'utf8')).toContain('"fail"');
    await saveScreenshot(page, 'session-9-imported');
    expect(errors).toEqual([]);
  }, 120_000);
});
