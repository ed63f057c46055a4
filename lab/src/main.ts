/** Entry point of `npm run lab`. */
import { main } from './cli/cli.ts';

const code = await main(process.argv.slice(2), process.env, process);
// esbuild's service or a stray socket must not keep a stopped lab alive.
process.exit(code);
