/**
 * Debian's Chromium driven by playwright-core; never a downloaded browser. Script errors and CSP
 * violations on the page are collected so a test can show them when it fails and assert there were none.
 */
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Uncaught script errors, CSP violations and console errors other than failed requests, in order. */
  readonly problems: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1400, height: 900 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // Reported whatever Chromium writes to its console about it; the listener itself runs outside the CSP.
  await page.exposeFunction('reportCspViolation', (line: string) => problems.push(`csp: ${line}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { reportCspViolation(line: string): void }).reportCspViolation;
      report(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('console', (message) => {
    // The browser logs every 4xx/5xx answer; failed requests are what the lab shows, not script faults.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}
