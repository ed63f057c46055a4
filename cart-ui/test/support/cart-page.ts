/** What a user does and sees on the cart page, in the page's own words (roles and labels). */
import type { Locator, Page } from 'playwright-core';

/** A locator's text, '' when it has none. */
export async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

export function column(page: Page, variant: string): Locator {
  return page.locator(`section[data-variant="${variant}"]`);
}

export async function servedBy(page: Page, variant: string): Promise<string> {
  const badge = column(page, variant).getByTestId('served-by').locator('.chip');
  await badge.waitFor();
  return (await badge.textContent()) ?? '';
}

/** Adds a product by its name and waits until the cart shows the line with `quantity`. */
export async function addProduct(page: Page, variant: string, name: string, quantity = 1): Promise<void> {
  await column(page, variant)
    .getByRole('button', { name: `Add ${name} to the ${variant} cart`, exact: true })
    .click();
  await waitForQuantity(page, variant, name, quantity);
}

export async function waitForQuantity(
  page: Page,
  variant: string,
  name: string,
  quantity: number,
): Promise<void> {
  await page.waitForFunction(
    ([v, n, q]) =>
      [...document.querySelectorAll(`section[data-variant="${v}"] .lines li`)].some(
        (row) => row.querySelector('label')?.textContent === n && row.querySelector('input')?.value === q,
      ),
    [variant, name, String(quantity)] as const,
  );
}

/** Names and quantities of the lines in a variant's cart. */
export async function cartLines(page: Page, variant: string): Promise<string[]> {
  return column(page, variant)
    .locator('.lines li')
    .evaluateAll((rows) =>
      rows.map((row) => `${row.querySelector('input')?.value} × ${row.querySelector('label')?.textContent}`),
    );
}

/** Instances of the trail, newest first. */
export async function trailInstances(page: Page, variant: string): Promise<string[]> {
  return column(page, variant).locator('.trail tbody tr td:nth-child(4)').allTextContents();
}

/** Clicks "Send 30 requests" and waits until they have all come back. */
export async function sendBurst(page: Page, variant: string): Promise<void> {
  const button = column(page, variant).getByRole('button', { name: 'Send 30 requests' });
  await button.click();
  await page.waitForFunction((v) => {
    const col = document.querySelector(`section[data-variant="${v}"]`);
    const burst = col?.querySelector<HTMLButtonElement>('[data-key="burst"]');
    return burst && !burst.disabled && col!.querySelectorAll('.trail tbody tr').length === 30;
  }, variant);
}

export function instanceRow(page: Page, id: string): Locator {
  return page.locator(`.instances li[data-instance="${id}"]`);
}

export async function instanceAction(
  page: Page,
  id: string,
  action: 'Kill' | 'Stop' | 'Start' | 'Restart',
): Promise<void> {
  await page.getByRole('button', { name: `${action} ${id}`, exact: true }).click();
}

export async function waitForState(page: Page, id: string, state: string): Promise<void> {
  await page
    .locator(`.instances li[data-instance="${id}"][data-state="${state}"] [data-testid="state"]`)
    .filter({ hasText: state })
    .waitFor();
}
