/**
 * Headless Chromium for the browser tests (Debian's chromium, driven by playwright-core). In CI (CI set) a missing
 * Chromium fails the test; elsewhere the test is skipped loudly.
 */
import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = fs.existsSync(CHROMIUM);

/** Whether the test can run; throws in CI when Chromium is missing. */
export function chromiumOrSkip(): boolean {
  if (chromiumAvailable) return true;
  if (process.env.CI)
    throw new Error(`Chromium is missing at ${CHROMIUM}: CI must install it (apt-get install -y chromium)`);
  console.warn(
    `\n*** SKIPPED browser test: no Chromium at ${CHROMIUM}. Install it: sudo apt-get install -y chromium ***\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Chromium runs sandboxed frames in a process of their own; driven from inside Jest's VM, Playwright's clicks
      // into such a frame stall on their hit test (from plain Node they do not). The frame stays sandboxed, with an
      // opaque origin and no way into the portal page, which the tests check.
      '--disable-features=IsolateSandboxedIframes',
    ],
  });
}
