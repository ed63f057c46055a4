/**
 * The page at `/`: the three variants side by side, the instance panel above them, polling the
 * control API while the tab is visible. Wiring only; each part lives in its own module.
 */
import { REDIS_ID, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import { createCartClient, loadProducts } from './api/cart-client.ts';
import type { ControlAction } from './api/control-client.ts';
import { createInstanceStore } from './state/instance-store.ts';
import { startPolling } from './state/poller.ts';
import { createVariantSession, type VariantSession } from './state/variant-session.ts';
import { h } from './view/dom.ts';
import { createInstancePanel } from './view/instance-panel.ts';
import { createVariantPanel, type VariantPanel } from './view/variant-panel.ts';

const POLL_MS = 1500;
/** The variants in the table's order, imported from cart-core's browser-safe domain entry. */
const SPECS = VARIANTS.map((variant) => TOPOLOGY[variant]);

function isUnavailable(status: number | undefined): boolean {
  return status === 0 || status === 502 || status === 503 || status === 504;
}

const sessions = new Map<string, VariantSession>();
const panels = new Map<string, VariantPanel>();

const instancePanel = createInstancePanel((id, action) => void act(id, action));
const store = createInstanceStore(() => updateInstancePanel());

function updateInstancePanel(): void {
  const notes = new Map<string, string>();
  const examples: string[] = [];
  for (const { model } of sessions.values()) {
    const home = model.cart?.servedBy.instance;
    if (!home) continue;
    examples.push(home);
    if (model.spec.routing === 'sticky') notes.set(home, 'your session');
  }
  instancePanel.update(store.model, {
    groups: SPECS.map((s) => ({ variant: s.variant, withRedis: s.needsRedis })),
    notes,
    examples,
  });
}

/** Re-reads the carts of the variants whose instances (or whose Redis) changed state. */
function refreshAffected(changed: ReadonlySet<string>): void {
  for (const spec of SPECS) {
    if (changed.has(spec.variant) || (spec.needsRedis && changed.has(REDIS_ID)))
      void sessions.get(spec.variant)?.refresh();
  }
}

async function act(id: string, action: ControlAction): Promise<void> {
  refreshAffected(await store.act(id, action));
}

function mount(root: HTMLElement): void {
  const grid = h('div', { class: 'variants' });
  for (const spec of SPECS) {
    const session = createVariantSession(spec, {
      client: createCartClient(spec.prefix),
      fate: (id) => store.fate(id),
      onChange: (model) => {
        panels.get(spec.variant)?.update(model);
        updateInstancePanel();
      },
    });
    const panel = createVariantPanel(spec, session);
    sessions.set(spec.variant, session);
    panels.set(spec.variant, panel);
    panel.update(session.model);
    grid.append(panel.element);
  }
  root.append(instancePanel.element, grid);
  updateInstancePanel();
}

async function start(): Promise<void> {
  const root = document.querySelector<HTMLElement>('#app');
  if (!root) return;
  mount(root);
  for (const session of sessions.values()) void session.refresh();
  const products = await loadProducts(SPECS.map((s) => s.prefix));
  const shown = Array.isArray(products)
    ? products
    : `The catalog could not be loaded: ${products.code}: ${products.message}`;
  for (const panel of panels.values()) panel.showProducts(shown);
  startPolling(
    async () => {
      refreshAffected(await store.refresh());
      // A variant that could not answer (503 with Redis down, 502 with every instance down) is
      // re-read on every poll, so the page sees it recover without a click.
      for (const session of sessions.values()) {
        if (isUnavailable(session.model.error?.status) && session.model.pending === 0) void session.refresh();
      }
    },
    POLL_MS,
    () => {
      for (const session of sessions.values()) void session.refresh();
    },
  );
}

void start();
