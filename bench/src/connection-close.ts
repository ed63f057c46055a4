/**
 * autocannon 8 ignores a server's `Connection: close`: it writes the next request on the closing
 * socket, reconnects when the socket ends and writes another, and the first one's queue entry is
 * then credited with the next answer: answers mis-paired with requests, and no error. A compliant
 * client opens a new connection instead. This makes autocannon's client do so: the request after
 * an announced close goes out on a fresh connection, with nothing left in the old one's queue.
 * It replaces the client's `_doRequest` and calls its `_resetConnection` (private API: autocannon is
 * pinned to 8.0.0 in package.json, and this throws at once if either is gone).
 */
import type autocannon from 'autocannon';

interface ClientInternals {
  _doRequest(): void;
  _resetConnection(): void;
}

/** `closing.announced` is set by the caller on an answer with `Connection: close`. */
export function honourConnectionClose(client: autocannon.Client, closing: { announced: boolean }): void {
  const internals = client as unknown as ClientInternals;
  const send = internals._doRequest;
  if (typeof send !== 'function' || typeof internals._resetConnection !== 'function') {
    throw new Error('autocannon changed its client internals: bench/src/connection-close.ts needs updating');
  }
  internals._doRequest = function doRequest(this: ClientInternals) {
    if (!closing.announced) return send.call(this);
    closing.announced = false;
    // Drops the old socket and its queue, connects, and sends from there (_connect calls us again).
    this._resetConnection();
  };
}
