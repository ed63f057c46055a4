/** `npm run lab -- <args>` as a child of a test, and the cleanup by pid of what a failed test left. */
import type { TestContext } from 'node:test';
import { isAlive, ManagedProcess, nodeMainArgs } from '@statelab/processes';
import { REPO_ROOT } from '../../src/repo-root.ts';

/** Started from the repository root as npm runs it; SIGKILLed when the test ends, if still there. */
export async function runLab(
  t: Pick<TestContext, 'after'>,
  args: readonly string[],
): Promise<ManagedProcess> {
  const lab = await ManagedProcess.spawn({
    command: process.execPath,
    args: [...nodeMainArgs('lab/src/main.ts'), ...args],
    cwd: REPO_ROOT,
    env: process.env,
  });
  t.after(() => lab.kill());
  return lab;
}

/** Kills, by pid, whatever of ours a failed test left running. */
export function killLeftovers(pids: Iterable<number>): void {
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone in between.
    }
  }
}
