/**
 * Progress while a load runs: one rewritten line on a TTY (scenario, variant, elapsed/remaining,
 * req/s, errors), plain lines otherwise, so CI logs stay readable.
 */
export interface Live {
  elapsedS: number;
  requests: number;
  errors: number;
  rps: number;
}

export interface Progress {
  /** Shows `live()` until the returned function is called. */
  watch(label: string, plannedS: number, live: () => Live): () => void;
  line(text: string): void;
}

export function createProgress(stream: NodeJS.WritableStream, isTTY: boolean): Progress {
  const render = (label: string, plannedS: number, l: Live) => {
    const remaining = Math.max(0, plannedS - l.elapsedS);
    return `${label}  ${l.elapsedS.toFixed(0)}s/${plannedS.toFixed(0)}s (${remaining.toFixed(0)}s left)  ${Math.round(l.rps)} req/s  ${l.errors} errors`;
  };
  return {
    watch(label, plannedS, live) {
      if (!isTTY) {
        stream.write(`${label}: running for ~${plannedS.toFixed(0)}s\n`);
        return () => {
          const l = live();
          stream.write(`${label}: ${l.requests} requests, ${l.errors} errors in ${l.elapsedS.toFixed(1)}s\n`);
        };
      }
      const timer = setInterval(() => stream.write(`\r\x1b[2K${render(label, plannedS, live())}`), 1000);
      timer.unref();
      return () => {
        clearInterval(timer);
        stream.write(`\r\x1b[2K${render(label, plannedS, live())}\n`);
      };
    },
    line(text) {
      stream.write(`${text}\n`);
    },
  };
}
