/** The process edge of the deploy CLI. */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
