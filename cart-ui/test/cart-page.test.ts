/**
 * The page end to end: Debian's Chromium against a real lab (nginx, Redis, nine app processes).
 * The steps build on each other, in order: shop, watch the balancer, kill the stateful home, start it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LabHandle, processHost, startLab } from '@statelab/lab';
import type { Browser, Page } from 'playwright-core';
import { buildUi } from '../src/index.ts';
import {
  addProduct,
  cartLines,
  column,
  instanceAction,
  sendBurst,
  servedBy,
  text,
  trailInstances,
  waitForQuantity,
  waitForState,
} from './support/cart-page.ts';
import { launchChromium, openPage } from './support/chromium.ts';
import { startProxyWithoutControl } from './support/proxy-without-control.ts';

const VARIANTS = ['stateful', 'stateful-redis', 'stateless'] as const;
const SHOPPING = ['Mug, Ink', 'Hoodie, Moss'];

describe('cart page against a running lab', { timeout: 240_000 }, () => {
  let lab: LabHandle;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  let uiDir: string;

  before(async () => {
    // The page as `npm run build` makes it, in a folder of this test's own.
    uiDir = await buildUi(await mkdtemp(join(tmpdir(), 'statelab-ui-')));
    lab = await startLab(
      {
        uiRoot: uiDir,
        port: 0,
        instances: 3,
        logLevel: 'warn',
        // Short drains keep stop and restart quick; nothing else differs from `npm run lab`.
        appEnv: { SHUTDOWN_IDLE_GRACE_MS: '200', SHUTDOWN_TIMEOUT_MS: '3000' },
      },
      processHost(),
    );
    browser = await launchChromium();
    ({ page, problems } = await openPage(browser, lab.baseUrl));
  });
  after(async () => {
    await browser?.close();
    await lab?.close();
    if (uiDir) await rm(uiDir, { recursive: true, force: true });
  });

  it('GET / shows the three variants, each with a cart served by one of its own instances', async () => {
    for (const variant of VARIANTS) {
      assert.match(await servedBy(page, variant), new RegExp(`^${variant}-[123]$`));
      await column(page, variant).getByText('Empty. Add something from the catalog.').waitFor();
    }
    assert.equal(await page.locator('.catalog-list').first().locator('li').count(), 60);
  });

  it('GET / may not be framed, runs only its own script and style, sends no Referer; /app.js.map is a JSON 404', async () => {
    const res = await fetch(`${lab.baseUrl}/`);
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-security-policy'),
      "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const map = await fetch(`${lab.baseUrl}/app.js.map`);
    assert.equal(map.status, 404);
    assert.equal(((await map.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('the instance panel lists every instance and Redis as running', async () => {
    const ids = [...VARIANTS.flatMap((v) => [1, 2, 3].map((n) => `${v}-${n}`)), 'redis'];
    for (const id of ids) await waitForState(page, id, 'running');
  });

  it('adding items on every variant shows them in its cart, with totals', async () => {
    for (const variant of VARIANTS) {
      for (const name of SHOPPING) await addProduct(page, variant, name);
      await addProduct(page, variant, 'Mug, Ink', 2);
      assert.deepEqual(await cartLines(page, variant), ['2 × Mug, Ink', '1 × Hoodie, Moss']);
      assert.match(await text(column(page, variant).locator('.total')), /^3 items · \$\d+\.\d\d$/);
    }
  });

  it('the catalog is usable from the keyboard: filter, tab to Add, press Enter', async () => {
    await column(page, 'stateless').getByLabel('Catalog', { exact: true }).fill('poster rust');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForQuantity(page, 'stateless', 'Poster, Rust', 1);
    await column(page, 'stateless').getByLabel('Catalog', { exact: true }).fill('');
  });

  it('round-robin variants spread 30 requests over every instance; stateful keeps them on its home', async () => {
    for (const variant of VARIANTS) await sendBurst(page, variant);
    const home = await servedBy(page, 'stateful');
    assert.deepEqual(new Set(await trailInstances(page, 'stateful')), new Set([home]));
    assert.equal(await text(column(page, 'stateful').getByTestId('home')), home);
    for (const variant of ['stateful-redis', 'stateless']) {
      const seen = await trailInstances(page, variant);
      assert.deepEqual(new Set(seen), new Set([1, 2, 3].map((n) => `${variant}-${n}`)));
      // Consecutive answers come from different instances: the badge changes with every request.
      assert.notEqual(seen[0], seen[1]);
      assert.equal(await column(page, variant).locator('.spread li').count(), 3);
    }
  });

  it('the stateless column shows the decoded token: its cart claim, its size and how it grew', async () => {
    const knows = column(page, 'stateless').locator('.knows');
    const claims = JSON.parse(await text(knows.getByTestId('claims'))) as {
      cart: { lines: unknown[] };
      exp: number;
    };
    assert.deepEqual(claims.cart.lines, [
      ['mug-ink', 2],
      ['hood-moss', 1],
      ['poster-rust', 1],
    ]);
    assert.ok(claims.exp > Date.now() / 1000);
    const sizes = await knows.locator('.sizes li').allInnerTexts();
    const bytes = sizes.map((s) => Number(/ (\d+) B$/.exec(s)?.[1]));
    assert.ok(
      bytes.length >= 3 && bytes.at(-1)! > bytes[0]!,
      `the token grows with the cart: ${sizes.join(' | ')}`,
    );
    assert.equal(await text(knows.getByTestId('token-bytes')), `${bytes.at(-1)} B`);
  });

  it('a rejected change shows the JSON error code and message and leaves the cart unchanged', async () => {
    const input = column(page, 'stateful-redis').getByLabel('Mug, Ink', { exact: true });
    await input.fill('150');
    await input.press('Enter');
    await column(page, 'stateful-redis').getByTestId('error').getByText('invalid_quantity').waitFor();
    assert.match(
      await text(column(page, 'stateful-redis').getByTestId('error')),
      /PUT \/api\/cart\/items\/mug-ink → 400 invalid_quantity: /,
    );
    assert.deepEqual(await cartLines(page, 'stateful-redis'), ['2 × Mug, Ink', '1 × Hoodie, Moss']);
  });

  it('killing the stateful home from the panel says the cart is gone and lists the lost items; stateless keeps its cart', async () => {
    const home = await servedBy(page, 'stateful');
    await instanceAction(page, home, 'Kill');
    const loss = column(page, 'stateful').getByTestId('loss');
    await loss.locator('.loss').waitFor();
    const message = await text(loss);
    assert.match(message, new RegExp(`Your session lived on ${home}, which was killed; the cart is gone\\.`));
    assert.match(message, /2 × Mug, Ink/);
    assert.match(message, /1 × Hoodie, Moss/);
    assert.equal(await loss.getAttribute('aria-live'), 'assertive');
    assert.deepEqual(await cartLines(page, 'stateful'), []);
    assert.notEqual(await servedBy(page, 'stateful'), home);
    await waitForState(page, home, 'stopped');

    // Killing a stateless instance loses nothing either: the cart travels with the browser.
    await instanceAction(page, 'stateless-2', 'Kill');
    await waitForState(page, 'stateless-2', 'stopped');
    await addProduct(page, 'stateless', 'Pen, Sand');
    assert.deepEqual(await cartLines(page, 'stateless'), [
      '2 × Mug, Ink',
      '1 × Hoodie, Moss',
      '1 × Poster, Rust',
      '1 × Pen, Sand',
    ]);
    assert.equal(await text(column(page, 'stateless').getByTestId('loss')), '');
  });

  it('start from the panel brings the killed instances back to running', async () => {
    const stopped = await page
      .locator('.instances li[data-state="stopped"]')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.instance!));
    assert.equal(stopped.length, 2);
    for (const id of stopped) {
      await instanceAction(page, id, 'Start');
      await waitForState(page, id, 'running');
    }
  });

  it('killing Redis shows 503 store_unavailable on stateful-redis; once Redis is back the page says its sessions are gone', async () => {
    const errors = column(page, 'stateful-redis').getByTestId('error');
    await instanceAction(page, 'redis', 'Kill');
    await waitForState(page, 'redis', 'stopped');
    await errors.getByText('store_unavailable').waitFor();
    assert.match(await text(errors), /503 store_unavailable: /);
    assert.deepEqual(await cartLines(page, 'stateful-redis'), ['2 × Mug, Ink', '1 × Hoodie, Moss']);

    await instanceAction(page, 'redis', 'Start');
    await waitForState(page, 'redis', 'running');
    // No click needed: the page re-reads a variant that could not answer until it answers again.
    const loss = column(page, 'stateful-redis').getByTestId('loss');
    await loss.locator('.loss').waitFor();
    assert.match(await text(loss), /Your session was kept in Redis, which was killed; the cart is gone\./);
    assert.equal(await text(errors), '');
    assert.deepEqual(await cartLines(page, 'stateful-redis'), []);
  });

  it('at 360 px wide the page fits the screen: no sideways scrolling', async () => {
    const narrow = await openPage(browser, lab.baseUrl, { width: 360, height: 740 });
    await servedBy(narrow.page, 'stateless');
    await waitForState(narrow.page, 'redis', 'running');
    const overflow = await narrow.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.equal(overflow, 0);
    assert.deepEqual(narrow.problems, []);
    await narrow.page.context().close();
  });

  it('without a control API (compose), the panel says so and shows the docker compose commands', async () => {
    const proxy = await startProxyWithoutControl(lab.baseUrl);
    const other = await openPage(browser, proxy.url);
    try {
      const manual = other.page.getByTestId('manual');
      await manual.waitFor();
      await addProduct(other.page, 'stateful', 'Cap, Sand');
      const home = await servedBy(other.page, 'stateful');
      await manual.getByText(`docker compose kill ${home}`).waitFor();
      assert.match(await text(manual), new RegExp(`docker compose start ${home}`));
      assert.match(await text(other.page.locator('.instances')), /control API not reachable/);
      assert.equal(await other.page.getByRole('button', { name: /^Kill / }).count(), 0);
      assert.deepEqual(other.problems, []);
    } finally {
      await other.page.context().close();
      await proxy.close();
    }
  });

  it('the page raised no script error and broke no rule of its CSP', () => {
    assert.deepEqual(problems, []);
  });
});
