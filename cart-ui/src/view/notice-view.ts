/**
 * The two messages a variant can raise: a lost cart (announced assertively, with what was lost) and
 * a failed request (its method, path and the JSON error's code and message).
 */
import { describeLostItems } from '../logic/loss.ts';
import type { VariantModel } from '../state/variant-session.ts';
import { h, render } from './dom.ts';

export function createNoticeView(variant: string, onDismiss: () => void) {
  // Live regions exist from the start and stay put: assistive tech announces what appears inside.
  const loss = h('div', {
    class: 'loss-region',
    'aria-live': 'assertive',
    'aria-atomic': 'true',
    'data-testid': 'loss',
  });
  const error = h('div', { class: 'error-region', 'aria-live': 'polite', 'data-testid': 'error' });
  const element = h('div', { class: 'notices' }, loss, error);

  return {
    element,
    update(model: VariantModel): void {
      const report = model.loss;
      if (!report) render(loss);
      else {
        const lost = describeLostItems(report.lostItems);
        render(
          loss,
          h(
            'div',
            { class: 'loss', role: 'group', 'aria-label': `${variant}: cart lost` },
            h('p', {}, h('strong', {}, 'Cart lost. '), report.message),
            lost.length
              ? h(
                  'div',
                  {},
                  h('p', { class: 'lost-title' }, 'Items that were lost:'),
                  h('ul', { class: 'lost' }, ...lost.map((t) => h('li', {}, t))),
                )
              : h('p', {}, 'It was empty: only the session was lost.'),
            h('p', { class: 'muted' }, `cartId ${report.previousCartId} → ${report.newCartId}`),
            h(
              'button',
              { type: 'button', class: 'small quiet', 'data-key': 'dismiss', onclick: onDismiss },
              'Dismiss',
            ),
          ),
        );
      }
      const failed = model.error;
      if (!failed) render(error);
      else {
        render(
          error,
          h(
            'p',
            { class: 'error' },
            h('code', {}, `${failed.method} ${failed.path}`),
            ` → ${failed.status || 'no answer'} `,
            h('code', { class: 'code' }, failed.code),
            `: ${failed.message}`,
          ),
        );
      }
    },
  };
}
