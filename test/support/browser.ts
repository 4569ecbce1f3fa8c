import type { Server } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import { type Browser, chromium } from 'playwright-core';
import { projectRoot } from '../../config';

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
