/** One variant's column: header with the served-by badge, notices, cart, catalog, server knowledge, trail. */
import type { VariantSpec } from '@statelab/cart-core';
import type { Product } from '../api/cart-client.ts';
import type { VariantModel, VariantSession } from '../state/variant-session.ts';
import { createCartView } from './cart-view.ts';
import { createCatalogView } from './catalog-view.ts';
import { chip } from './chip.ts';
import { h, render } from './dom.ts';
import { createKnowsView } from './knows-view.ts';
import { createNoticeView } from './notice-view.ts';
import { BURST_SIZE, createTrailView } from './trail-view.ts';

export interface VariantPanel {
  readonly element: HTMLElement;
  showProducts(products: readonly Product[] | string): void;
  update(model: VariantModel): void;
}

const ROUTING_TEXT = { sticky: 'sticky sessions', 'round-robin': 'round-robin' } as const;

export function createVariantPanel(spec: VariantSpec, session: VariantSession): VariantPanel {
  const { variant } = spec;
  const badge = h('span', { class: 'badge', 'data-testid': 'served-by' });
  const busy = h('span', { class: 'busy', 'aria-hidden': 'true' });
  const notices = createNoticeView(variant, () => session.dismissLoss());
  const cart = createCartView(variant, {
    setQuantity: (id, q) => void session.setQuantity(id, q),
    remove: (id) => void session.remove(id),
    clear: () => void session.clear(),
  });
  const catalog = createCatalogView(variant, (id) => void session.add(id));
  const knows = createKnowsView(spec);
  const trail = createTrailView(variant, () => void session.burst(BURST_SIZE));
  const titleId = `title-${variant}`;

  const element = h(
    'section',
    { class: `variant variant-${spec.store}`, 'data-variant': variant, 'aria-labelledby': titleId },
    h(
      'header',
      { class: 'variant-head' },
      h(
        'div',
        { class: 'title-row' },
        h('h2', { id: titleId }, variant),
        h('span', { class: 'tag' }, ROUTING_TEXT[spec.routing]),
        busy,
      ),
      h('p', { class: 'summary' }, spec.summary),
      h('p', { class: 'served' }, 'Last request served by ', badge),
    ),
    notices.element,
    cart.element,
    catalog.element,
    knows.element,
    trail.element,
  );

  return {
    element,
    showProducts: (products) => catalog.show(products),
    update(model) {
      render(badge, model.servedBy ? chip(model.servedBy) : '…');
      busy.textContent = model.pending > 0 ? 'working…' : '';
      notices.update(model);
      cart.update(model.cart);
      trail.update(model.trail, model.pending > 0);
      knows.update(model);
    },
  };
}
