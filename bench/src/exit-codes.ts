/** Every exit code of `npm run bench`, in one table (k6 style), so scripts and CI can tell them apart. */
export const EXIT = Object.freeze({
  ok: 0,
  /** A scenario failed to run; the report still holds it as a row. */
  runFailed: 1,
  /** Every scenario ran, and at least one `--thresholds` check failed. */
  thresholdsFailed: 2,
  /** Bad flags or a bad thresholds file: nothing was run. */
  usage: 64,
  /** A tool the native runtime needs (nginx, redis-server) is missing, or the target is unreachable. */
  unavailable: 69,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
