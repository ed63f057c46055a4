/**
 * Starts a lab, drives the page into the state the lab exists to show (items in every cart, the
 * stateful home killed, the loss message up) and writes `docs/screenshot.png` at 1400x900.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processHost, startLab } from '@statelab/lab';
import { buildUi } from '../src/index.ts';
import { addProduct, column, instanceAction, sendBurst, servedBy } from '../test/support/cart-page.ts';
import { launchChromium, openPage } from '../test/support/chromium.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshot.png');
const SHOPPING: Record<string, string[]> = {
  stateful: ['Mug, Ink', 'Hoodie, Moss', 'Mug, Ink'],
  'stateful-redis': ['T-shirt, Sand', 'Cap, Rust'],
  stateless: ['Notebook, Ink', 'Pen, Moss', 'Scarf, Sand', 'Pen, Moss'],
};

async function run(): Promise<void> {
  const lab = await startLab(
    {
      uiRoot: await buildUi(),
      port: 0,
      instances: 3,
      logLevel: 'warn',
      appEnv: { SHUTDOWN_IDLE_GRACE_MS: '200' },
    },
    processHost(),
  );
  const browser = await launchChromium().catch(async (err: unknown) => {
    await lab.close();
    throw err;
  });
  try {
    const { page, problems } = await openPage(browser, lab.baseUrl);
    for (const [variant, names] of Object.entries(SHOPPING)) {
      const seen = new Map<string, number>();
      for (const name of names) {
        seen.set(name, (seen.get(name) ?? 0) + 1);
        await addProduct(page, variant, name, seen.get(name));
      }
      await sendBurst(page, variant);
    }
    const home = await servedBy(page, 'stateful');
    await instanceAction(page, home, 'Kill');
    await column(page, 'stateful').locator('.loss').waitFor();
    await addProduct(page, 'stateless', 'Tote bag, Moss');
    await page.mouse.move(0, 0);
    // Clicking Add scrolled the catalogs; show them from the top.
    await page.evaluate(() => {
      for (const list of document.querySelectorAll('.catalog-list')) list.scrollTop = 0;
    });
    await mkdir(dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT });
    process.stdout.write(`wrote ${OUT}\n`);
    if (problems.length) process.stderr.write(`page problems:\n${problems.join('\n')}\n`);
  } finally {
    await browser.close();
    await lab.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`screenshot failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
