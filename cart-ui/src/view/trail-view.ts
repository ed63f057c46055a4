/**
 * The last requests of one variant and how they spread over instances: at a glance, round-robin
 * shows every colour, sticky shows one.
 */
import { formatLatency } from '../logic/format.ts';
import { instanceColour } from '../logic/instance-colour.ts';
import { retryNote, spread, TRAIL_LENGTH, type TrailEntry } from '../logic/trail.ts';
import { chip } from './chip.ts';
import { h, render } from './dom.ts';

export const BURST_SIZE = 30;

export function createTrailView(variant: string, onBurst: () => void) {
  const chart = h('ul', { class: 'spread', 'aria-label': `${variant}: requests per instance` });
  const rows = h('tbody');
  const button = h(
    'button',
    { type: 'button', class: 'small', 'data-key': 'burst', onclick: onBurst },
    `Send ${BURST_SIZE} requests`,
  );
  const element = h(
    'section',
    { class: 'trail', 'aria-label': `${variant} request trail` },
    h('div', { class: 'section-head' }, h('h3', {}, `Last ${TRAIL_LENGTH} requests`), button),
    chart,
    h(
      'div',
      {
        class: 'trail-scroll',
        tabindex: 0,
        'aria-label': `${variant}: last requests, newest first`,
        role: 'region',
      },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['method', 'path', 'status', 'instance', 'latency'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        rows,
      ),
    ),
  );

  function row(entry: TrailEntry): HTMLElement {
    const failed = entry.status === 0 || entry.status >= 400;
    return h(
      'tr',
      {},
      h('td', {}, entry.method),
      h('td', { class: 'path' }, entry.path),
      h(
        'td',
        { class: failed ? 'status bad' : 'status' },
        entry.status === 0 ? 'none' : String(entry.status),
        ...(entry.tries || entry.replayed ? [h('span', { class: 'retried' }, ` ${retryNote(entry)}`)] : []),
      ),
      h('td', {}, chip(entry.instance)),
      h('td', { class: 'num' }, formatLatency(entry.latencyMs)),
    );
  }

  return {
    element,
    update(trail: readonly TrailEntry[], busy: boolean): void {
      button.disabled = busy;
      render(
        chart,
        ...spread(trail).map((bar) =>
          h(
            'li',
            {},
            chip(bar.instance),
            h(
              'span',
              { class: 'bar', 'aria-hidden': 'true' },
              h('span', {
                style: {
                  width: `${(bar.share * 100).toFixed(1)}%`,
                  background: bar.instance ? instanceColour(bar.instance) : '#94a3b8',
                },
              }),
            ),
            h('span', { class: 'num' }, `${bar.count}`),
          ),
        ),
      );
      render(rows, ...trail.map(row));
    },
  };
}
