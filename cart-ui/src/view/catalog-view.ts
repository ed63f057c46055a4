/** The 60-product catalog as a filterable, scrollable list with an add button per product. */
import type { Product } from '../api/cart-client.ts';
import { formatCents } from '../logic/format.ts';
import { h, render } from './dom.ts';

export interface CatalogView {
  readonly element: HTMLElement;
  show(products: readonly Product[] | string): void;
}

export function createCatalogView(variant: string, onAdd: (productId: string) => void): CatalogView {
  const list = h('ul', { class: 'catalog-list', 'aria-label': `Products for the ${variant} cart` });
  const filterId = `filter-${variant}`;
  let products: readonly Product[] = [];

  function rows(): HTMLElement[] {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return products
      .filter((p) => words.every((w) => p.name.toLowerCase().includes(w)))
      .map((p) =>
        h(
          'li',
          {},
          h('span', { class: 'product-name' }, p.name),
          h('span', { class: 'price' }, formatCents(p.priceCents)),
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              'data-key': `add-${p.id}`,
              'aria-label': `Add ${p.name} to the ${variant} cart`,
              onclick: () => onAdd(p.id),
            },
            'Add',
          ),
        ),
      );
  }

  const filter = h('input', {
    id: filterId,
    type: 'search',
    placeholder: 'mug, hoodie, moss…',
    autocomplete: 'off',
    oninput: () => render(list, ...rows()),
  });
  const element = h(
    'section',
    { class: 'catalog', 'aria-label': `${variant} catalog` },
    h('div', { class: 'filter' }, h('label', { for: filterId }, 'Catalog'), filter),
    list,
  );

  return {
    element,
    show(next) {
      if (typeof next === 'string') {
        render(list, h('li', { class: 'muted' }, next));
        return;
      }
      products = next;
      render(list, ...rows());
    },
  };
}
