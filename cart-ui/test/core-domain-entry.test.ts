/**
 * cart-core's domain entry is what this page imports: bundled for the browser it must build, and
 * pull in nothing of express, pino, prom-client or Node's built-ins (those live behind `./http`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = (path: string) => fileURLToPath(new URL(`../../cart-core/src/${path}`, import.meta.url));

async function bundledInputs(path: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry(path)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Input paths are then relative to the repository: cart-core/src/..., node_modules/...
    absWorkingDir: fileURLToPath(new URL('../../', import.meta.url)),
  });
  return Object.keys(result.metafile.inputs);
}

test('the domain entry bundles for the browser with no express, pino, prom-client or node: module', async () => {
  const inputs = await bundledInputs('index.ts');
  assert.ok(
    inputs.some((i) => i.endsWith('cart-core/src/topology.ts')),
    inputs.join('\n'),
  );
  const server = inputs.filter((i) =>
    /node_modules\/(express|pino|prom-client)\/|^node:|cart-core\/src\/(http|dev|testing)\//.test(i),
  );
  assert.deepEqual(server, []);
});

test('the check can fail: the http entry does pull express in, and does not bundle for the browser', async () => {
  await assert.rejects(bundledInputs('http/index.ts'), /Could not resolve|node:/);
});
