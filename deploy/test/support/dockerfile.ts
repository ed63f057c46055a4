/**
 * A Dockerfile as instructions grouped by stage: enough structure to check bases, users, installs
 * and copies without a Docker engine. Continuation lines are joined, comments dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root.ts';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The base, with global ARG defaults substituted. */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  path: string;
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** The repository's one Dockerfile, whose final stages are the images compose builds. */
export const DOCKERFILE = 'Dockerfile';

export function readDockerfile(relativePath = DOCKERFILE): Dockerfile {
  const path = join(REPO_ROOT, relativePath);
  const lines = readFileSync(path, 'utf8')
    .replace(/\s*\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [, image = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      const base = image.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_m, a?: string, b?: string) => globalArgs[(a ?? b)!] ?? '',
      );
      stages.push({ base, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = args.split('=', 2);
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { path, globalArgs, stages };
}

export function stage(file: Dockerfile, name: string): Stage {
  const found = file.stages.find((s) => s.name === name);
  if (!found) throw new Error(`${file.path} has no stage ${name}`);
  return found;
}

export function argsOf(s: Stage, keyword: string): string[] {
  return s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** A RUN's command without its BuildKit flags (`--mount=...`). */
export function runCommand(args: string): string {
  return args.replace(/^(--\S+\s+)+/, '');
}

/** `$NAME` and `${NAME}` replaced as Docker does for a stage's ARGs; an unknown name is an error. */
export function expandArgs(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a?: string, b?: string) => {
    const name = (a ?? b)!;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for $${name} in ${text}`);
    return value;
  });
}

/** The stages a stage builds on, directly or not: its `FROM <stage>` and `COPY --from=<stage>`. */
export function dependencies(file: Dockerfile, name: string): Set<string> {
  const found = new Set<string>();
  const visit = (s: Stage) => {
    const direct = argsOf(s, 'COPY').flatMap((c) => /^--from=(\S+)/.exec(c)?.[1] ?? []);
    if (file.stages.some((other) => other.name === s.base)) direct.push(s.base);
    for (const d of direct) {
      if (found.has(d)) continue;
      found.add(d);
      visit(stage(file, d));
    }
  };
  visit(stage(file, name));
  return found;
}

/** The stages no other stage builds on: the targets an image is built from. */
export function finalStages(file: Dockerfile): string[] {
  const used = new Set(file.stages.flatMap((s) => (s.name ? [...dependencies(file, s.name)] : [])));
  return file.stages.flatMap((s) => (s.name && !used.has(s.name) ? [s.name] : []));
}
