import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Flags for a headless Chromium in a container or CI runner: no sandbox (no user namespaces there), no GPU, no traffic of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The browser to test with: $SLIPWAY_CHROMIUM or $CHROME_PATH, then Debian's
 * chromium, then Google Chrome (as on GitHub's Ubuntu runners). Never a
 * browser downloaded by Playwright.
 */
export function findChromium(): string {
  const fromEnv = [process.env.SLIPWAY_CHROMIUM, process.env.CHROME_PATH].filter((value): value is string => !!value);
  for (const candidate of fromEnv) {
    if (!isExecutable(candidate)) {
      throw new Error(`The browser set in SLIPWAY_CHROMIUM/CHROME_PATH is not an executable file: ${candidate}`);
    }
    return candidate;
  }
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = [
    '/usr/bin/chromium',
    ...['google-chrome', 'google-chrome-stable', 'chromium', 'chromium-browser'].flatMap((name) =>
      onPath.map((dir) => path.join(dir, name)),
    ),
  ];
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new Error(
      "No Chromium or Google Chrome found for the browser tests. Install Debian's chromium (apt-get install -y chromium), " +
        'or set SLIPWAY_CHROMIUM to a Chromium/Chrome binary. (Do not use `npx playwright install`: the tests drive the system browser.)',
    );
  }
  return found;
}

/** Launches the system Chromium headless through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 60_000 });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
