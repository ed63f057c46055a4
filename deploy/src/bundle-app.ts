/**
 * Bundles an app's `main.ts` into one ES module for its container image: the `@statelab/*`
 * workspaces are inlined (the image carries no TypeScript and no tsx), npm packages stay external
 * and come from the image's `npm ci --omit=dev`.
 */
import { mkdir } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { type AppName, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from './repo-root.ts';

export type { AppName };
/** Every app the topology table names, once each, in table order. */
export const APPS: readonly AppName[] = [...new Set(VARIANTS.map((v) => TOPOLOGY[v].app))];

export function isAppName(value: string): value is AppName {
  return (APPS as readonly string[]).includes(value);
}

/** Where the bundle lands inside an app's folder, in the repo and in the image alike. */
export const BUNDLE_PATH = 'dist/main.mjs';

export interface BundleResult {
  outFile: string;
  /** npm packages the bundle imports at run time (node built-ins left out). */
  externals: string[];
}

const WORKSPACE_SCOPE = '@statelab/';

/** The package a bare specifier names: `pino/file` is `pino`, `@scope/pkg/x` is `@scope/pkg`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function npmPackagesExternal(): Plugin {
  return {
    name: 'npm-packages-external',
    setup(pluginBuild) {
      // Bare specifiers only; relative and absolute paths are our own source.
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith(WORKSPACE_SCOPE) || isBuiltin(args.path)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

export async function bundleApp(
  app: AppName,
  outFile = join(REPO_ROOT, app, BUNDLE_PATH),
): Promise<BundleResult> {
  await mkdir(dirname(outFile), { recursive: true });
  const result = await build({
    entryPoints: [join(REPO_ROOT, app, 'src', 'main.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Unminified, so stack traces in production logs stay readable without a source map.
    minify: false,
    metafile: true,
    plugins: [npmPackagesExternal()],
    logLevel: 'silent',
  });
  const externals = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !isBuiltin(imported.path)) externals.add(packageName(imported.path));
    }
  }
  return { outFile, externals: [...externals].sort() };
}
