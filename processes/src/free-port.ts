/**
 * A free loopback port: the OS picks one (listen on port 0), we read it and close, then hand it to a
 * child or a server; another process may grab it in between, so whoever binds it retries on EADDRINUSE.
 */
import net from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
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
