/**
 * Builds the cart UI into a folder that nginx serves at `/`: the bundled script plus the static
 * files. The lab calls this at start-up; the compose nginx image runs it at build time.
 */
import { cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_UI_DIR = join(ROOT, 'dist');

export interface BuildOptions {
  /** Writes `app.js.map` beside the bundle; off by default, as the map carries build paths. */
  sourcemap?: boolean;
}

export async function buildUi(outDir: string = DEFAULT_UI_DIR, options: BuildOptions = {}): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await cp(join(ROOT, 'static'), outDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: options.sourcemap ?? false,
    outfile: join(outDir, 'app.js'),
    logLevel: 'silent',
  });
  return outDir;
}
