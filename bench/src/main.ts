/** The process edge of `npm run bench`: argv, env and stdio in, an exit code out. */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
