/**
 * The claims table at the head of every report: five claims, one measured number per variant and
 * a one-line verdict (held / did not hold / depends / not measured). A pure function of report.json.
 */
import { VARIANTS, type Variant } from '@statelab/cart-core';
import type { Report, ResultRow } from '../report.ts';
import { fmt } from './format.ts';

export type VerdictKind = 'held' | 'did not hold' | 'depends' | 'not measured';

export interface Claim {
  name: 'Scaling' | 'Performance' | 'Reliability' | 'Payload' | 'Consistency';
  claim: string;
  /** Per variant: the number with its unit, or undefined when not measured. */
  cells: Record<Variant, string | undefined>;
  verdict: VerdictKind;
  because: string;
}

const ok = (r: ResultRow) => !r.failed;
const rowsOf = (report: Report, scenario: string, variant: string) =>
  report.results.filter((r) => r.scenario === scenario && r.variant === variant && ok(r));

function byVariant<T>(fn: (v: Variant) => T | undefined): Record<Variant, T | undefined> {
  return Object.fromEntries(VARIANTS.map((v) => [v, fn(v)])) as Record<Variant, T | undefined>;
}

function cells<T>(
  values: Record<Variant, T | undefined>,
  show: (value: T) => string,
): Record<Variant, string | undefined> {
  return byVariant((v) => (values[v] === undefined ? undefined : show(values[v] as T)));
}

const measured = <T>(values: Record<Variant, T | undefined>): Variant[] =>
  VARIANTS.filter((v) => values[v] !== undefined);

/** req/s at the most instances over req/s at one, from a scaling sweep. */
export function speedup(
  rows: readonly ResultRow[],
): { factor: number; from: number; to: number } | undefined {
  const sorted = [...rows].sort((a, b) => a.instances - b.instances);
  const one = sorted[0];
  const most = sorted[sorted.length - 1];
  if (!one || !most || most.instances === one.instances || one.rps <= 0) return undefined;
  return { factor: most.rps / one.rps, from: one.instances, to: most.instances };
}

function scalingClaim(report: Report): Claim {
  const values = byVariant((v) => speedup(rowsOf(report, 'scaling', v)));
  const ceiling = speedup(rowsOf(report, 'scaling', 'baseline'));
  const claim = 'Adding instances adds throughput, for every variant.';
  const shown = cells(values, (s) => `×${fmt(s.factor, 2)} req/s (${s.from}→${s.to} inst.)`);
  const have = measured(values);
  if (have.length === 0)
    return {
      name: 'Scaling',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: 'no scaling sweep with two or more instance counts',
    };
  const ceilingText = ceiling
    ? `the bare express ceiling went ×${fmt(ceiling.factor, 2)}`
    : 'no ceiling measured';
  if (report.environment.cpus <= 2) {
    return {
      name: 'Scaling',
      claim,
      cells: shown,
      verdict: 'depends',
      because: `on cores: this machine has ${report.environment.cpus}, so more instances cannot add capacity (${ceilingText}); compare CPU per request instead`,
    };
  }
  const worst = Math.min(...have.map((v) => values[v]!.factor));
  const bar = ceiling ? ceiling.factor * 0.7 : 1.3;
  return {
    name: 'Scaling',
    claim,
    cells: shown,
    verdict: worst >= bar ? 'held' : 'did not hold',
    because: `${worst >= bar ? 'every' : 'not every'} variant reached ×${fmt(bar, 2)} (${ceilingText})`,
  };
}

function performanceClaim(report: Report): Claim {
  const claim =
    'Carrying the cart in a token costs the servers no more CPU per request than keeping it in a session.';
  const values = byVariant((v) => {
    const rows = rowsOf(report, 'scaling', v).filter((r) => r.cpuMsPerRequest);
    const row = rows.sort((a, b) => b.instances - a.instances)[0];
    return row?.cpuMsPerRequest ? row.cpuMsPerRequest.server * 1000 : undefined;
  });
  const shown = cells(values, (us) => `${fmt(us)} µs CPU/req`);
  const stateless = values.stateless;
  const sessions = (['stateful', 'stateful-redis'] as const).filter((v) => values[v] !== undefined);
  if (stateless === undefined || sessions.length === 0) {
    return {
      name: 'Performance',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: 'needs scaling rows with CPU for stateless and a session variant',
    };
  }
  const cheapest = sessions.reduce((a, b) => (values[a]! <= values[b]! ? a : b));
  const ratio = stateless / values[cheapest]!;
  return {
    name: 'Performance',
    claim,
    cells: shown,
    verdict: ratio <= 1.1 ? 'held' : 'did not hold',
    because: `stateless spent ${fmt(ratio, 2)}× the CPU per request of ${cheapest} (app + nginx + Redis)`,
  };
}

function reliabilityClaim(report: Report): Claim {
  const claim =
    'Killing an instance loses no cart for stateful-redis and stateless; stateful loses the sessions it held.';
  const values = byVariant((v) => rowsOf(report, 'kill', v)[0]);
  const shown = cells(values, (r) => `${fmt(r.lostSessions)} lost sessions of ${fmt(r.sessions)}`);
  const safe = (['stateful-redis', 'stateless'] as const).filter((v) => values[v]);
  if (safe.length === 0)
    return {
      name: 'Reliability',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: 'no kill run for stateful-redis or stateless',
    };
  const losing = safe.filter((v) => values[v]!.lostSessions > 0 || values[v]!.lostItems > 0);
  const errors = measured(values)
    .map((v) => `${v} ${fmt(values[v]!.errors)}`)
    .join(', ');
  const stateful = values.stateful ? `; stateful lost ${fmt(values.stateful.lostSessions)} sessions` : '';
  return {
    name: 'Reliability',
    claim,
    cells: shown,
    verdict: losing.length === 0 ? 'held' : 'did not hold',
    because: `${losing.length === 0 ? `${safe.join(' and ')} lost nothing` : `${losing.join(' and ')} lost carts`}${stateful}; errors during the kill: ${errors}`,
  };
}

function payloadClaim(report: Report): Claim {
  const claim = 'A stateless request carries the cart, so it grows with the cart; a session cookie does not.';
  const bytesAt = (v: Variant) => {
    const rows = rowsOf(report, 'cart-size', v).filter((r) => r.bytesPerRequest && r.cartLines);
    return rows.sort((a, b) => a.cartLines! - b.cartLines!);
  };
  const values = byVariant((v) => {
    const rows = bytesAt(v);
    const last = rows[rows.length - 1];
    return last
      ? {
          bytes: last.bytesPerRequest!.identity,
          lines: last.cartLines!,
          growth: last.bytesPerRequest!.identity / Math.max(1, rows[0]!.bytesPerRequest!.identity),
        }
      : undefined;
  });
  const shown = cells(values, (x) => `${fmt(x.bytes)} B/req at ${x.lines} lines`);
  const sl = values.stateless;
  const sessions = (['stateful', 'stateful-redis'] as const).filter((v) => values[v]);
  if (!sl || bytesAt('stateless').length < 2) {
    return {
      name: 'Payload',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: 'needs stateless at two or more cart sizes',
    };
  }
  const grows = sl.growth > 1.5;
  const flat = sessions.every((v) => values[v]!.growth < 1.2);
  return {
    name: 'Payload',
    claim,
    cells: shown,
    verdict: grows && flat ? 'held' : 'did not hold',
    because: `the stateless identity header grew ×${fmt(sl.growth, 1)} from the smallest to the largest cart${sessions.length ? `; session cookies ${flat ? 'stayed flat' : 'grew too'}` : ''}`,
  };
}

function consistencyClaim(report: Report): Claim {
  const claim = 'Concurrent updates to one cart are all kept.';
  const values = byVariant((v) => rowsOf(report, 'concurrent-updates', v)[0]?.concurrency);
  const shown = cells(values, (c) => `${fmt(c.lostUpdatePct, 1)}% lost updates`);
  const have = measured(values);
  if (have.length === 0)
    return {
      name: 'Consistency',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: 'no concurrent-updates run',
    };
  const losing = have.filter((v) => values[v]!.lostUpdates > 0);
  const why = losing.map((v) =>
    v === 'stateless'
      ? "stateless: each answer's token holds only its own change, and the client keeps the last one"
      : `${v}: each request read the session, changed it and saved it over the others`,
  );
  return {
    name: 'Consistency',
    claim,
    cells: shown,
    verdict: losing.length === 0 ? 'held' : 'did not hold',
    because:
      losing.length === 0
        ? `every acknowledged update survived (${have.join(', ')})`
        : `acknowledged updates were lost (${why.join('; ')})`,
  };
}

export function claims(report: Report): Claim[] {
  return [
    scalingClaim(report),
    performanceClaim(report),
    reliabilityClaim(report),
    payloadClaim(report),
    consistencyClaim(report),
  ];
}
