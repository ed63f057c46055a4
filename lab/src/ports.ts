/**
 * Free loopback ports. The OS picks one (listen on port 0), we read it and close, then hand it to a
 * child; another process may grab it in between, so whoever binds it retries on EADDRINUSE.
 */
import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function reservePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a child's last output says its port was taken (Node, redis-server and nginx wordings). */
export function saysAddressInUse(output: string): boolean {
  return /EADDRINUSE|Address already in use/i.test(output);
}
