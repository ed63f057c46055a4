/**
 * Requests/s of one stateless instance, straight to its port, beside bare express in the same run:
 * GET /api/cart with a token and POST /api/cart/items with a token, each for a few seconds with
 * autocannon, with the server's CPU time per request (on 2 shared cores req/s alone misleads).
 * Usage: node --import tsx stateless-app/scripts/rps-vs-bare.ts [seconds, default 5] [connections, default 10]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const AUTOCANNON = here('../../node_modules/.bin/autocannon');
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface Started {
  child: ChildProcess;
  url: string;
}

function start(script: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', here(script)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}:\n${out}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(deadline);
      resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}

function cpuSeconds(pid: number): number {
  // Fields after the `(comm)`: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuUsPerReq: number;
}

function load(name: string, target: Started, args: string[], seconds: number, connections: number): Row {
  const pid = target.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const json = execFileSync(AUTOCANNON, ['-j', '-c', String(connections), '-d', String(seconds), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: (seconds + 30) * 1000,
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const r = JSON.parse(json);
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuUsPerReq: (cpu / Math.max(1, r.requests.total)) * 1e6,
  };
}

function table(rows: Row[]): string {
  const base = rows[0]!.rps;
  const head =
    'scenario                          req/s   vs bare   p50 ms  p99 ms  non2xx  errors  CPU us/req';
  const body = rows.map((r) =>
    [
      r.name.padEnd(30),
      r.rps.toFixed(0).padStart(8),
      `${((r.rps / base) * 100).toFixed(0)}%`.padStart(9),
      r.p50.toFixed(1).padStart(8),
      r.p99.toFixed(1).padStart(7),
      String(r.non2xx).padStart(7),
      String(r.errors).padStart(7),
      r.cpuUsPerReq.toFixed(0).padStart(11),
    ].join(' '),
  );
  return [head, ...body].join('\n');
}

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 10);
const children: ChildProcess[] = [];
try {
  const bare = await start('./bare-express.ts', { PORT: '0' });
  children.push(bare.child);
  const app = await start('../src/main.ts', {
    INSTANCE_ID: 'stateless-1',
    JWT_SECRET: 'measure-secret-0123456789abcdef0123456789',
    PORT: '0',
    SHUTDOWN_IDLE_GRACE_MS: '0',
  });
  children.push(app.child);

  // A realistic token: a cart of three lines.
  let token = '';
  for (const productId of ['mug-ink', 'tee-sand', 'sticker-moss']) {
    const res = await fetch(`${app.url}/api/cart/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ productId }),
    });
    token = res.headers.get('x-cart-token') ?? '';
  }
  const cookie = `cookie:statelab_sl_cart=${token}`;
  const rows = [
    load('bare express GET /api/cart', bare, [`${bare.url}/api/cart`], seconds, connections),
    load('stateless GET /api/cart', app, ['-H', cookie, `${app.url}/api/cart`], seconds, connections),
    load(
      'stateless POST /api/cart/items',
      app,
      [
        '-m',
        'POST',
        '-H',
        cookie,
        '-H',
        'content-type:application/json',
        '-b',
        '{"productId":"pen-rust"}',
        `${app.url}/api/cart/items`,
      ],
      seconds,
      connections,
    ),
  ];
  process.stdout.write(
    `${connections} connections, ${seconds} s each, one instance, no nginx\n${table(rows)}\n`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
}
