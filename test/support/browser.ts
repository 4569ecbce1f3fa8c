import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import { type Browser, chromium } from 'playwright-core';
import { ensureWebBuild } from '../../bin/web-build';
import { projectRoot } from '../../config';
import { type TestPlatform, type TestPlatformOptions, testPlatformForFile } from './platform';

/** Debian's Chromium (installed by .ci/run; never a downloaded browser); YIDI_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.YIDI_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the browser tests, for reading what a user saw. */
export const ARTIFACTS = path.join(projectRoot, 'test-artifacts');

export interface BrowserRig {
  /** `http://127.0.0.1:<port>` of the platform's app. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The platform's app on a free loopback port, and a headless Chromium to drive it. */
export async function openBrowserRig(app: Express): Promise<BrowserRig> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
    },
  };
}

/**
 * A browser test file's hooks: the web build (the one `npm start` makes; a no-op when web/ is unchanged),
 * the platform (`testPlatformForFile`, then `prepare`), its app on a port with Chromium (`base`,
 * `browser`); closed Chromium first.
 */
export function browserPlatformForFile(
  options: TestPlatformOptions,
  prepare: (p: TestPlatform) => Promise<void> = async () => undefined,
): TestPlatform & Omit<BrowserRig, 'close'> {
  let rig: BrowserRig | undefined;
  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await ensureWebBuild(() => undefined);
  }, 240_000);
  // Registered before the platform's afterAll, so it runs first (jest runs afterAll hooks in order).
  afterAll(async () => {
    await rig?.close();
  });
  return testPlatformForFile({ ...options, timeout: 240_000 }, async (p) => {
    await prepare(p);
    rig = await openBrowserRig(p.app);
    return { base: rig.base, browser: rig.browser };
  });
}
