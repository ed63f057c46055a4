/**
 * What the server side knows about this browser: for sessions, an opaque cookie and where the
 * cart sits; for the stateless variant, the whole cart, signed, in the token the client carries.
 */
import { cartTravelsWithClient, type VariantSpec } from '@statelab/cart-core';
import { compactJson, formatBytes, formatSpan, plural } from '../logic/format.ts';
import type { VariantModel } from '../state/variant-session.ts';
import { chip } from './chip.ts';
import { h, render } from './dom.ts';

function row(term: string, ...detail: Array<Node | string>): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, ...detail)];
}

function cookieRow(spec: VariantSpec): HTMLElement[] {
  return row(
    'Cookie',
    h('code', {}, spec.cookieName),
    ` · HttpOnly: scripts cannot read it; the browser sends it on ${spec.prefix} only.`,
  );
}

function sessionRows(model: VariantModel): HTMLElement[] {
  const { spec, cart } = model;
  const home = cart?.servedBy.instance;
  if (spec.store === 'memory-session') {
    return [
      ...cookieRow(spec),
      ...row('Value', 'An opaque, signed session id. The cart stays in one process\u2019s memory.'),
      ...row(
        'Pinned to',
        home ? chip(home, { 'data-testid': 'home' }) : '…',
        ' nginx routes on the instance named in the session id.',
      ),
    ];
  }
  return [
    ...cookieRow(spec),
    ...row('Value', 'An opaque, signed session id. The cart is in Redis, under that id.'),
    ...row('Pinned to', 'No instance: any of them reads the session from Redis.'),
  ];
}

function tokenRows(model: VariantModel): HTMLElement[] {
  const { token, tokenSizes } = model;
  const rows = [
    ...row(
      'Cookie',
      h('code', {}, model.spec.cookieName),
      ' · HttpOnly: the token below comes from the X-Cart-Token header of the last change.',
    ),
  ];
  if (!token) return [...rows, ...row('Token', 'Change the cart to see the token it travels in.')];
  const max = Math.max(...tokenSizes.map((s) => s.bytes));
  const expires = token.expiresAt
    ? `${token.expiresAt.toLocaleString()} (in ${formatSpan(token.expiresAt.getTime() - Date.now())})`
    : 'no expiry';
  return [
    ...rows,
    ...row(
      'Size',
      h('strong', { 'data-testid': 'token-bytes' }, formatBytes(token.bytes)),
      ' sent with every request',
    ),
    ...row(
      'Growth',
      h(
        'ol',
        { class: 'sizes', 'aria-label': 'token size by cart revision' },
        ...tokenSizes.map((s) =>
          h(
            'li',
            {},
            h(
              'span',
              { class: 'size-bar', 'aria-hidden': 'true' },
              h('span', { style: { width: `${((s.bytes / max) * 100).toFixed(1)}%` } }),
            ),
            h('span', { class: 'num' }, `rev ${s.rev} · ${plural(s.itemCount, 'item')} · ${s.bytes} B`),
          ),
        ),
      ),
    ),
    ...row('Expires', expires),
    ...row(
      'Claims',
      h('pre', { class: 'claims', 'data-testid': 'claims', tabindex: 0 }, compactJson(token.payload)),
    ),
    ...row('Signed', `${String(token.header.alg ?? '?')}: every instance checks it with the shared secret.`),
  ];
}

export function createKnowsView(spec: VariantSpec) {
  const list = h('dl');
  const element = h(
    'section',
    { class: 'knows', 'aria-label': `What the ${spec.variant} server knows about you` },
    h('h3', {}, 'What the server knows about you'),
    list,
  );
  return {
    element,
    update(model: VariantModel): void {
      render(list, ...(cartTravelsWithClient(spec.variant) ? tokenRows(model) : sessionRows(model)));
    },
  };
}
