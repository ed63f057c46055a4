/**
 * Running `docker compose` without a shell. The runtime takes the runner as a parameter, so tests
 * assert the exact command lines instead of needing a Docker engine.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; 127 when the command could not be run at all, 124 when it timed out. */
  code: number;
}

/** Runs `docker compose <args>`. */
export type ComposeRunner = (args: readonly string[]) => Promise<CommandResult>;

/** Runs a command without a shell; never rejects, the outcome is in `code`. */
export function execRunner(command: string, baseArgs: readonly string[], timeoutMs = 120_000): ComposeRunner {
  return (args) =>
    new Promise((resolve) => {
      const options = { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' as const };
      execFile(command, [...baseArgs, ...args], options, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        if (typeof err.code === 'number') return resolve({ stdout, stderr, code: err.code });
        const code = err.killed ? 124 : 127;
        resolve({ stdout, stderr: `${stderr}${stderr ? '\n' : ''}${command}: ${err.message}`, code });
      });
    });
}

/** The real runner: `docker compose` in the project directory (where docker-compose.yml and .env are). */
export function composeCli(projectDir: string, timeoutMs?: number): ComposeRunner {
  return execRunner('docker', ['compose', '--project-directory', projectDir], timeoutMs);
}
