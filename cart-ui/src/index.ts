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

export async function buildUi(outDir: string = DEFAULT_UI_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await cp(join(ROOT, 'static'), outDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    outfile: join(outDir, 'app.js'),
    logLevel: 'silent',
  });
  return outDir;
}
