/** Loopback ports for the lab's children; a child whose port was taken in between is retried. */
export const LOOPBACK = '127.0.0.1';

/** Whether a child's last output says its port was taken (Node, redis-server and nginx wordings). */
export function saysAddressInUse(output: string): boolean {
  return /EADDRINUSE|Address already in use/i.test(output);
}
