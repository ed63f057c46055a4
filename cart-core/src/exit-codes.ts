/**
 * Every exit code of every statelab command (apps, lab, bench, deploy, scripts), in one table
 * (k6 style, BSD sysexits where one fits), so scripts and CI can tell them apart.
 */
export const EXIT = Object.freeze({
  ok: 0,
  /** The command failed while running: a crash, a failed stop, a bench scenario that did not run. */
  failure: 1,
  /** The bench ran every scenario, and at least one `--thresholds` check failed. */
  thresholdsFailed: 2,
  /** Bad flags or arguments: nothing was run (EX_USAGE). */
  usage: 64,
  /** A tool the command needs (nginx, redis-server, docker) is missing, or its target is unreachable (EX_UNAVAILABLE). */
  unavailable: 69,
  /** An app's environment failed validation (EX_CONFIG). */
  config: 78,
  /** Stopped by Ctrl-C before it finished (128 + SIGINT). */
  interrupted: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
