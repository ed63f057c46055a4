/**
 * One live child process: spawned in its own process group (so a terminal's Ctrl-C reaches only the
 * lab, which then stops children in order), output appended to a log file and kept in a line buffer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createLineBuffer, type LineBuffer } from './line-buffer.ts';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly logFile: string;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when nobody asked it to stop: a crash. */
  readonly expected: boolean;
}

export function describeExit(id: string, exit: ExitInfo, lastLines: readonly string[]): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = lastLines.length > 0 ? `:\n  ${lastLines.join('\n  ')}` : ' (no output)';
  return `${id} ${how}${tail}`;
}

export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  readonly #child: ChildProcess;
  readonly #output: LineBuffer;
  #expecting = false;
  #exit: ExitInfo | undefined;

  private constructor(child: ChildProcess, output: LineBuffer, closed: Promise<Omit<ExitInfo, 'expected'>>) {
    this.#child = child;
    this.#output = output;
    this.pid = child.pid!;
    this.exited = closed.then((exit) => {
      this.#exit = { ...exit, expected: this.#expecting };
      return this.#exit;
    });
  }

  /** Resolves once the process exists; rejects when it cannot be spawned (ENOENT, EACCES). */
  static async spawn(spec: ProcessSpec): Promise<ManagedProcess> {
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    const output = createLineBuffer();
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      log.end();
      throw err;
    }
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output.push(chunk);
        log.write(chunk);
      });
    }
    // 'close' rather than 'exit': it waits for the pipes, so the last lines are in the buffer.
    const closed = new Promise<Omit<ExitInfo, 'expected'>>((resolve) => {
      child.once('close', (code, signal) => {
        log.end();
        resolve({ code, signal });
      });
    });
    return new ManagedProcess(child, output, closed);
  }

  isRunning(): boolean {
    return this.#exit === undefined;
  }

  exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  lastLines(): string[] {
    return this.#output.lines();
  }

  /** Sends a signal we meant to send: the exit that follows is not a crash. */
  signal(signal: NodeJS.Signals): void {
    if (!this.isRunning()) return;
    this.#expecting = true;
    try {
      this.#child.kill(signal);
    } catch {
      // It exited between the check and the signal; `exited` settles either way.
    }
  }

  /** Whether it exits within `ms`. */
  async exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, ms, false);
    });
    const exited = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return exited;
  }

  /** Signals, waits up to `timeoutMs`, then SIGKILLs and waits for the exit. */
  async terminate(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    this.signal(signal);
    if (!(await this.exitsWithin(timeoutMs))) this.signal('SIGKILL');
    return this.exited;
  }
}
