import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, ConsoleMessage, Page } from 'playwright-core';
import { PACKAGE_DIR } from '../build-tools/site-build';
import { Backend, startBackend } from './helpers/backend';
import { launchChromium } from './helpers/chromium';
import { freePort } from './helpers/http';
import { NginxServer, startNginx } from './helpers/nginx';
import { BuiltSite, buildSiteToTempDir } from './helpers/site';

// The whole path a visitor takes: a real Chromium, the production build served by the real nginx
// configuration, /api proxied (as the load balancer does in AWS) to the real API from packages/backend.
jest.setTimeout(120_000);

/** Screenshots land here; CI uploads the folder as an artifact. */
const SCREENSHOTS = path.join(PACKAGE_DIR, 'test-output');

const API_ENV = {
  APP_ENV: 'dev',
  APP_VERSION: '1.2.3-browser-test',
  GIT_SHA: '0123456789abcdef0123456789abcdef01234567',
  LOG_LEVEL: 'warn',
};

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let site: BuiltSite;
let backend: Backend;
let nginx: NginxServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  site = await buildSiteToTempDir();
  backend = await startBackend(API_ENV);
  nginx = await startNginx({ siteDir: site.dir, apiUpstream: backend.origin });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await nginx?.stop();
  await backend?.stop();
  site?.remove();
});

/** What the page reported as an error: console errors, uncaught exceptions, CSP and Trusted Types violations. */
interface Reported {
  readonly text: string;
  readonly url: string;
}

async function openPage(
  options: BrowserContextOptions,
  origin = nginx.origin,
  beforeLoad?: (page: Page) => Promise<void>,
): Promise<{ page: Page; errors: Reported[] }> {
  const context = await browser.newContext(options);
  contexts.push(context);
  const page = await context.newPage();
  await beforeLoad?.(page);
  const errors: Reported[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => errors.push({ text: `uncaught: ${error.message}`, url: '' }));
  await page.goto(`${origin}/`);
  return { page, errors };
}

/** Chromium logs every 4xx/5xx a script fetches as a console error; these are the ones a test caused on purpose. */
function unexpected(errors: Reported[], expected: { status: number; path: string }[]): Reported[] {
  return errors.filter(
    (error) =>
      !expected.some(
        ({ status, path: expectedPath }) =>
          error.text.includes(`the server responded with a status of ${status}`) &&
          new URL(error.url || 'about:blank', nginx.origin).pathname === expectedPath,
      ),
  );
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}

describe('the status page in Chromium', () => {
  test('shows the environment banner, the API version and its health', async () => {
    const { page, errors } = await openPage(DESKTOP);

    await page.locator('#health[data-health="ok"]').waitFor();
    await page.locator('#environment-banner[data-environment="dev"]').waitFor();
    expect(await text(page, '#environment-name')).toBe('DEV');
    expect(await text(page, '#health')).toBe('Healthy');
    expect(await text(page, '#api-version')).toBe(API_ENV.APP_VERSION);
    expect(await text(page, '#api-git-sha')).toBe(API_ENV.GIT_SHA);
    const startedAt = await page.locator('#api-started-at time').getAttribute('datetime');
    expect(Date.now() - Date.parse(startedAt ?? '')).toBeLessThan(10 * 60_000);
    expect(await page.title()).toBe('DEV · Status · Slipway');
    expect(await page.locator('#version-problem').isHidden()).toBe(true);

    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-desktop.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('greets, using only the keyboard', async () => {
    const { page, errors } = await openPage(DESKTOP);
    await page.locator('#health[data-health="ok"]').waitFor();

    // Tab order: skip link, then the name field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('greeting-name');
    await page.keyboard.type('Ada Lovelace');
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/greetings'));
    await page.keyboard.press('Enter');
    expect((await answered).status()).toBe(201);

    await page.locator('#greeting-result[data-outcome="success"]').waitFor();
    expect(await text(page, '#greeting-result')).toBe('Hello, Ada Lovelace!');
    expect(await page.locator('#greeting-name').getAttribute('aria-invalid')).toBeNull();
    expect(errors).toEqual([]);
  });

  test("shows the API's validation errors in words, at the field, and recovers", async () => {
    const { page, errors } = await openPage(DESKTOP);
    const input = page.getByLabel('Your name');

    for (const name of ['', '   ', 'x'.repeat(101)]) {
      await input.fill(name);
      const answered = page.waitForResponse((response) => response.url().endsWith('/api/greetings'));
      await page.getByRole('button', { name: 'Send' }).click();
      const response = await answered;
      expect(response.status()).toBe(400);
      expect(response.headers()['content-type']).toMatch(/^application\/problem\+json/);
      const problem = (await response.json()) as {
        title: string;
        detail?: string;
        requestId: string;
        errors: { path: string; message: string }[];
      };

      // Each round's answer carries its own request id; wait for it, not for the previous round's problem.
      await page
        .locator('#greeting-result[data-outcome="problem"]')
        .filter({ hasText: `Reference: ${problem.requestId}` })
        .waitFor();
      const fieldMessages = problem.errors.filter((error) => error.path === 'name').map((error) => error.message);
      expect(fieldMessages.length).toBeGreaterThan(0);
      await page
        .locator('#greeting-name-error')
        .filter({ hasText: fieldMessages.join(' ') })
        .waitFor();
      expect(await text(page, '#greeting-name-error')).toBe(fieldMessages.join(' '));
      const result = await text(page, '#greeting-result');
      expect(result).toContain(problem.title);
      expect(result).toContain(`Reference: ${problem.requestId}`);
      // Screen readers hear the error with the field, and the field has the focus.
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect((await input.getAttribute('aria-describedby'))?.split(' ')).toEqual([
        'greeting-name-hint',
        'greeting-name-error',
      ]);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('greeting-name');
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-validation-error.png'), fullPage: true });

    await input.fill('Grace');
    await input.press('Enter');
    await page.locator('#greeting-result[data-outcome="success"]').waitFor();
    expect(await text(page, '#greeting-result')).toBe('Hello, Grace!');
    expect(await page.locator('#greeting-name-error').isHidden()).toBe(true);
    expect(await input.getAttribute('aria-invalid')).toBeNull();
    expect(await input.getAttribute('aria-describedby')).toBe('greeting-name-hint');

    expect(unexpected(errors, [{ status: 400, path: '/api/greetings' }])).toEqual([]);
  });

  test('has readable contrast, labelled controls and a visible focus', async () => {
    const { page, errors } = await openPage(DESKTOP);
    await page.locator('#health[data-health="ok"]').waitFor();
    await page.getByLabel('Your name').fill('');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#greeting-name-error:not([hidden])').waitFor();

    const selectors = [
      '#environment-name',
      'h1',
      'dt',
      '#health',
      '#health-checked',
      '#api-version',
      '.hint',
      'label',
      'button',
      '#greeting-name-error',
      '.result__summary',
      '.result__reference',
    ];
    const ratios = await page.evaluate((list) => {
      const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r, g, b]: number[]) => {
        const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
      };
      // The colour behind an element: its own background, or the first opaque one of its ancestors.
      const background = (element: Element | null): number[] => {
        for (let node = element; node; node = node.parentElement) {
          const rgba = channels(getComputedStyle(node).backgroundColor);
          if (rgba.length === 3 || (rgba.length === 4 && rgba[3] === 1)) return rgba.slice(0, 3);
        }
        return [255, 255, 255];
      };
      return list.map((selector) => {
        const element = document.querySelector(selector);
        if (!element) return { selector, ratio: 0 };
        const [light, dark] = [
          luminance(channels(getComputedStyle(element).color)),
          luminance(background(element)),
        ].sort((a, b) => b - a);
        return { selector, ratio: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100 };
      });
    }, selectors);
    for (const { selector, ratio } of ratios) {
      // WCAG 2.2 AA for normal text.
      expect({ selector, ratio, atLeast45: ratio >= 4.5 }).toEqual({ selector, ratio, atLeast45: true });
    }

    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Slipway status');
    expect(await page.getByLabel('Your name').getAttribute('id')).toBe('greeting-name');

    await page.locator('#greeting-name').focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { id: document.activeElement?.id, style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline).toEqual({ id: 'greeting-submit', style: 'solid', width: 3 });
    expect(unexpected(errors, [{ status: 400, path: '/api/greetings' }])).toEqual([]);
  });

  test('fits a phone screen', async () => {
    const { page, errors } = await openPage(PHONE);
    await page.locator('#health[data-health="ok"]').waitFor();
    await page.locator('#environment-banner[data-environment="dev"]').waitFor();

    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.viewport);
    for (const control of ['#greeting-name', '#greeting-submit']) {
      const box = await page.locator(control).boundingBox();
      // Touch targets of at least 44 CSS pixels (WCAG 2.5.5), inside the screen.
      expect(box?.height).toBeGreaterThanOrEqual(44);
      expect((box?.x ?? -1) + (box?.width ?? 0)).toBeLessThanOrEqual(layout.viewport);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('marks production unmistakably', async () => {
    // The same image in another environment: only the API's APP_ENV differs. It shares the dev API's database
    // (the banner needs none of its own), which saves starting a second one.
    const prodApi = await startBackend({ ...API_ENV, APP_ENV: 'prod', DATABASE_URL: backend.databaseUrl });
    const prodNginx = await startNginx({ siteDir: site.dir, apiUpstream: prodApi.origin });
    try {
      const { page, errors } = await openPage(DESKTOP, prodNginx.origin);
      await page.locator('#environment-banner[data-environment="prod"]').waitFor();
      expect(await text(page, '#environment-name')).toBe('PROD');
      expect(await page.title()).toBe('PROD · Status · Slipway');

      const dev = await openPage(DESKTOP);
      await dev.page.locator('#environment-banner[data-environment="dev"]').waitFor();
      const colours = async (target: Page) =>
        target.locator('#environment-banner').evaluate((banner) => {
          const style = getComputedStyle(banner);
          return { background: style.backgroundColor, text: style.color };
        });
      const [prodColours, devColours] = [await colours(page), await colours(dev.page)];
      expect(prodColours.background).not.toBe(devColours.background);
      expect(prodColours).toEqual({ background: 'rgb(179, 38, 30)', text: 'rgb(255, 255, 255)' });

      await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-prod.png') });
      expect([...errors, ...dev.errors]).toEqual([]);
    } finally {
      await prodNginx.stop();
      await prodApi.stop();
    }
  });

  test('says so when the API is down', async () => {
    // A second nginx whose API upstream listens nowhere: nginx answers 502, as the load balancer would.
    const orphan = await startNginx({ siteDir: site.dir, apiUpstream: `http://127.0.0.1:${await freePort()}` });
    try {
      // The two requests race. Hold /api/version until the health problem shows, so the page must
      // cope with the answers arriving in either order; the banner starts out "unknown" in the HTML,
      // so only the version problem appearing says the version answer has been handled.
      let releaseVersion = (): void => undefined;
      const versionHeld = new Promise<void>((resolve) => (releaseVersion = resolve));
      const { page, errors } = await openPage(DESKTOP, orphan.origin, async (target) => {
        await target.route('**/api/version', async (route) => {
          await versionHeld;
          await route.continue();
        });
      });

      await page.locator('#health[data-health="failing"]').waitFor();
      expect(await text(page, '#environment-name')).toBe('…');
      releaseVersion();
      await page.locator('#version-problem').waitFor({ state: 'visible' });
      expect(await page.locator('#environment-banner').getAttribute('data-environment')).toBe('unknown');
      expect(await text(page, '#environment-name')).toBe('UNKNOWN');
      expect(await text(page, '#health')).toBe(
        'The API answered HTTP 502 Bad Gateway: No healthy API server answered in time. Try again in a minute.',
      );
      expect(await text(page, '#version-problem')).toMatch(
        /^Could not read the API version\. The API answered HTTP 502/,
      );
      await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-api-down.png'), fullPage: true });

      expect(
        errors.filter(
          (error) =>
            !(
              error.text.includes('status of 502') &&
              ['/api/version', '/api/health'].includes(new URL(error.url || 'about:blank', orphan.origin).pathname)
            ),
        ),
      ).toEqual([]);
    } finally {
      await orphan.stop();
    }
  });
});
