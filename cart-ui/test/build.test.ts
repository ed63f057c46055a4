import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { TOPOLOGY } from '@statelab/cart-core';
import { type BuildOptions, buildUi } from '../src/index.ts';

async function built(t: TestContext, options?: BuildOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-ui-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await buildUi(dir, options), dir);
  return dir;
}

it('buildUi writes the page, its styles and one browser bundle, and no source map: it would carry build paths', async (t) => {
  const dir = await built(t);
  assert.deepEqual((await readdir(dir)).sort(), ['app.js', 'favicon.svg', 'index.html', 'styles.css']);
  assert.doesNotMatch(await readFile(join(dir, 'app.js'), 'utf8'), /sourceMappingURL/);
});

it('buildUi with sourcemap: true writes app.js.map; the bundle carries the topology table', async (t) => {
  const dir = await built(t, { sourcemap: true });
  assert.deepEqual((await readdir(dir)).sort(), [
    'app.js',
    'app.js.map',
    'favicon.svg',
    'index.html',
    'styles.css',
  ]);
  const bundle = await readFile(join(dir, 'app.js'), 'utf8');
  for (const spec of Object.values(TOPOLOGY)) {
    assert.ok(bundle.includes(spec.cookieName), `${spec.variant}'s cookie name is in the bundle`);
  }
  // The table is imported from cart-core's domain entry (no `define`), and nothing of core's Node side came along.
  const sources: string[] = JSON.parse(await readFile(join(dir, 'app.js.map'), 'utf8')).sources;
  assert.ok(
    sources.some((s) => s.endsWith('cart-core/src/topology.ts')),
    sources.join('\n'),
  );
  assert.equal(
    sources.filter((s) =>
      /cart-core\/src\/(http|dev|testing)\/|node_modules\/(express|pino|prom-client)\//.test(s),
    ).length,
    0,
  );
  // Offline and same-origin only: no Node built-ins, no URL of another origin.
  assert.doesNotMatch(bundle, /node:|require\(|https?:\/\//);
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /https?:\/\//);
  assert.match(html, /<script type="module" src="\/app.js">/);
  // The page's CSP allows no inline script, style or handler (cart-page.test.ts runs it under that CSP).
  assert.doesNotMatch(html, /<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=/i);
});
