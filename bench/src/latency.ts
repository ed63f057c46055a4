/** Latency recording with HDR histograms (microsecond resolution, reported in milliseconds). */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LatencyRecorder {
  record(ms: number): void;
  count(): number;
  summary(): LatencySummary;
  /** Adds another recorder's values into this one. */
  add(other: LatencyRecorder): void;
  readonly histogram: hdr.Histogram;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function createLatencyRecorder(): LatencyRecorder {
  // Pure JS: the WebAssembly build needs an async init and buys nothing at these rates.
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  return {
    histogram,
    record(ms) {
      histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    },
    count: () => histogram.totalCount,
    summary() {
      if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
      const at = (p: number) => round(histogram.getValueAtPercentile(p) / 1000);
      return { p50: at(50), p90: at(90), p99: at(99), max: round(histogram.maxValue / 1000) };
    },
    add(other) {
      histogram.add(other.histogram);
    },
  };
}
