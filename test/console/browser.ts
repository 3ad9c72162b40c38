import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (which downloads no browser). The flags keep it off
 * the network: no background requests, no component updates, no QUIC. Each launch gets a fresh,
 * empty profile (playwright's `launch` makes a temporary user data dir and removes it on close).
 */
export const CHROMIUM_PATHS = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function findChromium(): string | null {
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

export const MISSING_CHROMIUM =
  'Chromium is not installed, and the console tests drive a real browser: run `bash .ci/run` (it installs it), or `apt-get install -y chromium` (Debian). ' +
  'Developers may skip these tests with ML_SKIP_BROWSER_TESTS=1.';

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(MISSING_CHROMIUM);
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  return { browser, close: () => browser.close() };
}
