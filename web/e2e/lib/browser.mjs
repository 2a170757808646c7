// Debian's Chromium driven by playwright-core (no browser download).

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = resolve(fileURLToPath(new URL('../../test-results/screenshots', import.meta.url)));
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
export const SMALL = { width: 360, height: 740 };

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A page that fails the test on any uncaught error or Content-Security-Policy violation. Other
 * options (`timezoneId`, `isMobile`, `hasTouch`, `userAgent`) go to the browser context.
 */
export async function newPage(browser, { viewport = DESKTOP, locale = 'en-US', ...options } = {}) {
  const context = await browser.newContext({ viewport, locale, ...options });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) page.problems.push(`csp: ${m.text()}`);
  });
  return page;
}

/**
 * Screenshots of the current page at desktop and phone widths:
 * test-results/screenshots/<name>-desktop.png and <name>-phone.png, after checking that nothing
 * overflows sideways at 1280, 390 and 360 px. The page is left at the width it had.
 */
export async function shoot(page, name) {
  const before = page.viewportSize();
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
    ['small', SMALL],
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    // Responsive from 360 px: nothing may stick out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) throw new Error(`${name}: ${overflow} px of horizontal overflow at ${size.width} px`);
    if (label !== 'small') await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}
