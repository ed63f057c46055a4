import net from 'node:net';

/** A port the OS just handed out; closed again so nginx or a restarted app can bind it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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
