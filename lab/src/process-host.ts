import type { LabHost } from './native/lab.ts';

/** This process as a lab's host (its env, crash lines to stdout): for entry points and tests only. */
export function processHost(): LabHost {
  return { env: process.env, report: (line) => process.stdout.write(`${line}\n`) };
}
