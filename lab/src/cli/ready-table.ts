/** What `npm run lab` prints once ready: URLs, then every process with where it listens and its pid. Pure. */
import { BASELINE_PREFIX, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { CONTROL_API_PATH } from '../control/control-api.ts';
import type { InstanceInfo } from '../runtime.ts';

export interface ReadyView {
  baseUrl: string;
  variants: readonly Variant[];
  instances: readonly InstanceInfo[];
  nginx: { pid: number | undefined; port: number };
  logDir: string;
  seconds: number;
}

function columns(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd());
}

export function renderReadyTable(view: ReadyView): string {
  const urls: string[][] = [['cart UI', `${view.baseUrl}/`, '']];
  for (const variant of view.variants) {
    const spec = TOPOLOGY[variant];
    urls.push([variant, `${view.baseUrl}${spec.prefix}`, spec.routing]);
  }
  if (view.instances.some((i) => i.variant === 'baseline'))
    urls.push(['baseline', `${view.baseUrl}${BASELINE_PREFIX}`, 'round-robin']);
  urls.push(['control API', `${view.baseUrl}${CONTROL_API_PATH}/instances`, 'loopback only']);

  const processes: string[][] = [['process', 'state', 'listens on', 'pid']];
  processes.push([
    'nginx',
    view.nginx.pid ? 'running' : 'stopped',
    String(view.nginx.port),
    String(view.nginx.pid ?? '-'),
  ]);
  for (const i of view.instances)
    processes.push([i.id, i.state, i.socket ?? String(i.port ?? '-'), String(i.pid ?? '-')]);

  return [
    ...columns(urls),
    '',
    ...columns(processes),
    '',
    `  logs: ${view.logDir}`,
    '',
    `statelab lab ready in ${view.seconds.toFixed(1)} s at ${view.baseUrl}/ (Ctrl-C stops everything)`,
    '',
  ].join('\n');
}
