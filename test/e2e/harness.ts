/**
 * Shared E2E harness: a lab host serving the BUILT renderer (npm run build) and Debian's Chromium
 * driven by playwright-core. Reuse it for every renderer test that needs a real browser.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startWorkerHost } from '../../core/host/worker';
import { startLabHost, type LabHost, type LabHostOptions } from '../../core/lab/server';
import { afterAll, beforeAll } from 'vitest';
import { startWorkerHostIn } from '../ui/host';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'out', 'renderer');
export const ENGINE_HOST_BUNDLE = path.join(REPO_ROOT, 'out', 'main', 'engine-host.js');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test', 'artifacts');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Start a lab host on a random port over the built renderer and the built engine host, i.e. what
 * ships; fails loudly if they were not built (`npm test` and `npm run test:e2e` build first).
 */
export async function startLab(options: Partial<LabHostOptions> = {}): Promise<LabHost> {
  for (const built of [path.join(RENDERER_DIR, 'index.html'), ENGINE_HOST_BUNDLE]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` before the E2E tests.`);
  }
  return startLabHost({ rendererDir: RENDERER_DIR, startEngine: () => startWorkerHost(ENGINE_HOST_BUNDLE), ...options });
}

export interface Browser {
  context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected in `errors`. */
  openPage(url: string): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Launch Chromium with a fresh profile so no state leaks between runs. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'mdlab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 700 },
  });
  return {
    context,
    async openPage(url) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await page.goto(url);
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The Create panel from the navigation, once its layout picture is drawn. */
export async function openWizard(page: Page): Promise<void> {
  await page.getByTestId('nav-create').click();
  await page.getByTestId('layout-picture').waitFor();
}

/** Fills the creation wizard's main choices as a user types them (the caller presses Enter or looks first). */
export async function fillWizard(page: Page, choices: { members: number; spares: number; size: number; unit: 'MiB' | 'GiB'; id: string }): Promise<void> {
  await page.getByLabel('Members').fill(String(choices.members));
  await page.getByLabel('Spares').fill(String(choices.spares));
  await page.getByTestId('wz-size').fill(String(choices.size));
  await page.getByTestId('wz-size-unit').selectOption(choices.unit);
  await page.getByTestId('wz-id').fill(choices.id);
}

/** Creates what the wizard holds, as a user pressing Enter in its last field, and waits for the array view. */
export async function submitWizard(page: Page): Promise<void> {
  await page.getByTestId('wz-id').press('Enter');
  await page.getByTestId('member-disks').waitFor({ timeout: 30_000 });
}

/** The whole wizard in one step, for flows that do not look at it: open, fill, create, wait for the array view. */
export async function createInWizard(page: Page, choices: Parameters<typeof fillWizard>[1]): Promise<void> {
  await openWizard(page);
  await fillWizard(page, choices);
  await submitWizard(page);
}

/** Save a screenshot under test/artifacts/ (git-ignored) and return its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * For a describe block: a lab host over a workspace of its own (a temp folder) and Chromium, started
 * before the block's tests and closed after them. Call the returned getters inside the tests.
 */
export function labInBrowser(tag: string): { lab: () => LabHost; browser: () => Browser; workspace: () => string } {
  let browser: Browser | null = null;
  let lab: LabHost | null = null;
  let workspace: string | null = null;
  beforeAll(async () => {
    workspace = mkdtempSync(path.join(os.tmpdir(), `mdlab-e2e-${tag}-`));
    const folder = workspace;
    lab = await startLab({ startEngine: () => startWorkerHostIn(folder) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  return { lab: () => lab!, browser: () => browser!, workspace: () => workspace! };
}
