/**
 * One live child process, the only place statelab spawns a long-lived one. Plain
 * `node:child_process` rather than execa: these children live for a whole run and need exact
 * control of the process group, the `close` event and signals; execa's value is for short
 * commands. Output is kept as recent text and last lines, and appended to a log file when asked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createLineBuffer, type LineBuffer } from './line-buffer.ts';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Every byte the child writes is appended here too. */
  readonly logFile?: string;
  /** In its own process group, so a terminal's Ctrl-C reaches only us, and we stop it in order. */
  readonly ownGroup?: boolean;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when nobody asked it to stop: a crash. */
  readonly expected: boolean;
}

/** How much recent output `output()` keeps: enough for a failure message or a ready line. */
const OUTPUT_TAIL_CHARS = 64_000;

export function describeExit(id: string, exit: ExitInfo, lastLines: readonly string[]): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = lastLines.length > 0 ? `:\n  ${lastLines.join('\n  ')}` : ' (no output)';
  return `${id} ${how}${tail}`;
}

export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  readonly #child: ChildProcess;
  readonly #lines: LineBuffer;
  #text = '';
  readonly #streams = { stdout: '', stderr: '' };
  #expecting = false;
  #exit: ExitInfo | undefined;

  private constructor(child: ChildProcess, lines: LineBuffer, closed: Promise<Omit<ExitInfo, 'expected'>>) {
    this.#child = child;
    this.#lines = lines;
    this.pid = child.pid!;
    this.exited = closed.then((exit) => {
      this.#exit = { ...exit, expected: this.#expecting };
      return this.#exit;
    });
  }

  /** Resolves once the process exists; rejects when it cannot be spawned (ENOENT, EACCES). */
  static async spawn(spec: ProcessSpec): Promise<ManagedProcess> {
    const log: WriteStream | undefined = spec.logFile
      ? createWriteStream(spec.logFile, { flags: 'a' })
      : undefined;
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: spec.ownGroup ?? false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      log?.end();
      throw err;
    }
    const lines = createLineBuffer();
    // 'close' rather than 'exit': it waits for the pipes, so the last lines are in the buffer.
    const closed = new Promise<Omit<ExitInfo, 'expected'>>((resolve) => {
      child.once('close', (code, signal) => {
        log?.end();
        resolve({ code, signal });
      });
    });
    const proc = new ManagedProcess(child, lines, closed);
    for (const [name, stream] of [
      ['stdout', child.stdout!],
      ['stderr', child.stderr!],
    ] as const) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        lines.push(chunk);
        proc.#text = (proc.#text + chunk).slice(-OUTPUT_TAIL_CHARS);
        proc.#streams[name] = (proc.#streams[name] + chunk).slice(-OUTPUT_TAIL_CHARS);
        log?.write(chunk);
      });
    }
    return proc;
  }

  isRunning(): boolean {
    return this.#exit === undefined;
  }

  exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  lastLines(): string[] {
    return this.#lines.lines();
  }

  /** Recent output: stdout and stderr as they arrived, or one of them (a test asserting on stderr). */
  output(stream?: 'stdout' | 'stderr'): string {
    return stream ? this.#streams[stream] : this.#text;
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

  /** SIGKILL, as a crash would, and wait for the exit; nothing when it is already gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}
