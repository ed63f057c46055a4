import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { openComposeLab } from '../src/lab-target.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('compose lab target', () => {
  it('--runtime compose with nothing listening → a clear error that says how to start compose', async () => {
    const port = await closedPort();
    await assert.rejects(openComposeLab(`http://127.0.0.1:${port}`), /docker compose up --build/);
  });
});
