export { main } from './cli.ts';
export * from './ledger.ts';
export { type AnswerEvent, type LoadHandle, type LoadResult, type LoadSpec, startLoad } from './load.ts';
export {
  type BenchOptions,
  DEFAULTS,
  OptionsError,
  parseOptions,
  QUICK,
  SCENARIOS,
  type ScenarioName,
} from './options.ts';
export * from './report.ts';
export * from './report-record.ts';
export { runBench } from './run.ts';
export { createShopper, type Shopper } from './shopper.ts';
export { evaluateTargets, mixTarget, TARGET_RULE } from './targets.ts';
export { evaluateThresholds, parseThresholds, type Threshold, ThresholdsError } from './thresholds.ts';
export * from './views/index.ts';
export { checkWithWrk, type LoadGeneratorCheck } from './wrk.ts';
