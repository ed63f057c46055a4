export { freePort } from '@statelab/processes';

/**
 * Polls `check` until it is true; on timeout throws with `describe()` (the child's last output).
 * `failFast` returns an error as soon as waiting is pointless (the child exited).
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  describe: () => string,
  failFast: () => Error | undefined = () => undefined,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fatal = failFast();
    if (fatal) throw fatal;
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms; last output:\n${describe()}`);
}
