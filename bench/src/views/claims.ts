/**
 * The claims table at the head of every report: five claims, one measured number per variant and
 * a one-line verdict (held / did not hold / depends / not measured). A pure function of report.json.
 */
import { cartTravelsWithClient, TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import type { Report, ResultRow } from '../report-record.ts';
import { counted, fmt } from './format.ts';

export type VerdictKind = 'held' | 'did not hold' | 'depends' | 'not measured';

export interface Claim {
  name: 'Scaling' | 'Performance' | 'Reliability' | 'Payload' | 'Consistency';
  claim: string;
  /** Per variant: the number with its unit, or undefined when not measured. */
  cells: Record<Variant, string | undefined>;
  verdict: VerdictKind;
  because: string;
}

/** Which variants a claim is about, by where their cart lives. */
const TOKEN = VARIANTS.filter(cartTravelsWithClient);
const SESSION = VARIANTS.filter((v) => !cartTravelsWithClient(v));
const IN_INSTANCE = VARIANTS.filter((v) => TOPOLOGY[v].store === 'memory-session');
const OUTLIVES_INSTANCE = VARIANTS.filter((v) => TOPOLOGY[v].store !== 'memory-session');

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
  const tokens = TOKEN.filter((v) => values[v] !== undefined);
  const sessions = SESSION.filter((v) => values[v] !== undefined);
  if (tokens.length === 0 || sessions.length === 0) {
    return {
      name: 'Performance',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: `needs scaling rows with CPU for ${TOKEN.join(' or ')} and a session variant`,
    };
  }
  const costliest = tokens.reduce((a, b) => (values[a]! >= values[b]! ? a : b));
  const cheapest = sessions.reduce((a, b) => (values[a]! <= values[b]! ? a : b));
  const ratio = values[costliest]! / values[cheapest]!;
  return {
    name: 'Performance',
    claim,
    cells: shown,
    verdict: ratio <= 1.1 ? 'held' : 'did not hold',
    because: `${costliest} spent ${fmt(ratio, 2)}× the CPU per request of ${cheapest} (app + nginx + Redis)`,
  };
}

/** What the kill put at stake: the carts the killed instance held at that moment. */
function atStake(row: ResultRow): string {
  if (!row.cartsOnKilled) return '';
  const held = Object.values(row.cartsOnKilled).reduce((a, b) => a + b, 0);
  return ` (the killed instance held ${fmt(held)} carts)`;
}

function reliabilityClaim(report: Report): Claim {
  const claim = `Killing an instance loses no cart for ${OUTLIVES_INSTANCE.join(' and ')}; ${IN_INSTANCE.join(' and ')} loses the sessions it held.`;
  const values = byVariant((v) => rowsOf(report, 'kill', v)[0]);
  const shown = cells(
    values,
    (r) => `${fmt(r.lostSessions)} lost sessions of ${fmt(r.sessions)}${atStake(r)}`,
  );
  const safe = OUTLIVES_INSTANCE.filter((v) => values[v]);
  if (safe.length === 0)
    return {
      name: 'Reliability',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: `no kill run for ${OUTLIVES_INSTANCE.join(' or ')}`,
    };
  const losing = safe.filter((v) => values[v]!.lostSessions > 0 || values[v]!.lostItems > 0);
  // What a client saw: tries that failed first, requests that stayed failed after its retries, and
  // items a retried write added twice (counted — where a report predates them).
  const errors = measured(values)
    .map((v) => {
      const r = values[v]!;
      return `${v} ${counted(r.firstTryFailures)}/${counted(r.finalErrors)}/${fmt(r.duplicatedItems)}`;
    })
    .join(', ');
  const instanceLosses = IN_INSTANCE.filter((v) => values[v])
    .map((v) => `; ${v} lost ${fmt(values[v]!.lostSessions)} sessions${atStake(values[v]!)}`)
    .join('');
  return {
    name: 'Reliability',
    claim,
    cells: shown,
    verdict: losing.length === 0 ? 'held' : 'did not hold',
    because: `${losing.length === 0 ? `${safe.join(' and ')} lost nothing` : `${losing.join(' and ')} lost carts`}${instanceLosses}; first-try failures / final errors / duplicated items: ${errors}`,
  };
}

function payloadClaim(report: Report): Claim {
  const claim = `A ${TOKEN.join(' or ')} request carries the cart, so it grows with the cart; a session cookie does not.`;
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
  const tokens = TOKEN.filter((v) => bytesAt(v).length >= 2);
  const sessions = SESSION.filter((v) => values[v]);
  if (tokens.length === 0) {
    return {
      name: 'Payload',
      claim,
      cells: shown,
      verdict: 'not measured',
      because: `needs ${TOKEN.join(' or ')} at two or more cart sizes`,
    };
  }
  const slowest = tokens.reduce((a, b) => (values[a]!.growth <= values[b]!.growth ? a : b));
  const grows = values[slowest]!.growth > 1.5;
  const flat = sessions.every((v) => values[v]!.growth < 1.2);
  return {
    name: 'Payload',
    claim,
    cells: shown,
    verdict: grows && flat ? 'held' : 'did not hold',
    because: `the ${slowest} identity header grew ×${fmt(values[slowest]!.growth, 1)} from the smallest to the largest cart${sessions.length ? `; session cookies ${flat ? 'stayed flat' : 'grew too'}` : ''}`,
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
    cartTravelsWithClient(v)
      ? `${v}: each answer's token holds only its own change, and the client keeps the last one`
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
