/**
 * Arguments for a throwaway redis-server on loopback, as the lab, the tests and the bench run it:
 * no persistence, so a killed Redis comes back empty (the outage the lab shows), and files in `dir`.
 */
export function redisServerArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
}
