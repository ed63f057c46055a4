/**
 * `node --import tsx deploy/src/main.ts <command>`: the build steps the Dockerfile runs, so an
 * image is built by the same code the tests exercise.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXIT } from '@statelab/cart-core';
import { buildUi } from '@statelab/cart-ui';
import { renderNginxConfig } from '@statelab/load-balancer';
import { bundleApp, isAppName } from './bundle-app.ts';
import { composeNginxModel } from './compose-topology.ts';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const USAGE = `usage:
  deploy bundle <stateful-app|stateless-app> [out-file]   bundle an app into one ES module
  deploy nginx-conf <out-file>                            render the compose nginx configuration
  deploy ui <out-dir>                                     build the cart UI into a folder
`;

async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, first, second] = argv;
  if (command === 'bundle' && first && isAppName(first) && argv.length <= 3) {
    const { outFile, externals } = await bundleApp(first, second);
    io.stdout.write(
      `bundled ${first} into ${outFile} (npm packages left external: ${externals.join(', ')})\n`,
    );
    return EXIT.ok;
  }
  if (command === 'nginx-conf' && first && argv.length === 2) {
    await mkdir(dirname(first), { recursive: true });
    await writeFile(first, renderNginxConfig(composeNginxModel()));
    io.stdout.write(`wrote the compose nginx configuration to ${first}\n`);
    return EXIT.ok;
  }
  if (command === 'ui' && first && argv.length === 2) {
    io.stdout.write(`built the cart UI into ${await buildUi(first)}\n`);
    return EXIT.ok;
  }
  io.stderr.write(USAGE);
  return EXIT.usage;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    io.stderr.write(`deploy ${argv[0] ?? ''} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
