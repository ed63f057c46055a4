/**
 * The repository's shape as a tree: no workspace depends on one that depends back on it, and no
 * module imports itself round a circle. Imports are read with TypeScript's own pre-processor, so
 * type-only imports count too (a circle of types is still a circle a reader must hold at once).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../src/repo-root.ts';

interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const workspaces: string[] = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).workspaces;
const manifests = new Map<string, { dir: string; manifest: Manifest }>(
  workspaces.map((dir) => {
    const manifest: Manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8'));
    return [manifest.name, { dir, manifest }];
  }),
);

/** Every circle in a directed graph (one per strongly connected component of two or more, or a self-loop). */
function circles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || edges.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

test('circles() finds a circle and a self-loop, and none in a tree (the check can fail)', () => {
  const graph = (pairs: Array<[string, string]>) => {
    const edges = new Map<string, Set<string>>();
    for (const [from, to] of pairs) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    return edges;
  };
  assert.deepEqual(
    circles(
      graph([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'd'],
      ]),
    ),
    [['a', 'b', 'c']],
  );
  assert.deepEqual(circles(graph([['a', 'a']])), [['a']]);
  assert.deepEqual(
    circles(
      graph([
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ]),
    ),
    [],
  );
});

test('workspaces form a tree: no package depends, even for its tests, on one that depends back on it', () => {
  const edges = new Map<string, Set<string>>();
  for (const [name, { manifest }] of manifests) {
    const on = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((d) =>
      manifests.has(d),
    );
    edges.set(name, new Set(on));
  }
  assert.deepEqual(circles(edges), []);
});

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(REPO_ROOT, f)) && workspaces.includes(f.split('/')[0]!));

/** The repository file an import names, or undefined for an npm package or a Node built-in. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return normalize(join(dirname(from), specifier));
  const [scope, pkg, ...sub] = specifier.split('/');
  const target = manifests.get(`${scope}/${pkg}`);
  if (!target) return undefined;
  const entry = target.manifest.exports?.[sub.length === 0 ? '.' : `./${sub.join('/')}`];
  assert.ok(entry, `${from}: ${specifier} is not an entry ${scope}/${pkg} exports`);
  return normalize(join(target.dir, entry));
}

const imports = new Map<string, Set<string>>(
  files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(REPO_ROOT, file), 'utf8'), true, true);
    const targets = importedFiles.map((i) => resolveImport(file, i.fileName)).filter((t) => t !== undefined);
    return [file, new Set(targets)];
  }),
);

test('the import graph is read: every relative import names a file that exists', () => {
  assert.ok(files.length > 200, `${files.length} TypeScript files`);
  for (const [file, targets] of imports) {
    for (const target of targets) assert.ok(existsSync(join(REPO_ROOT, target)), `${file} imports ${target}`);
  }
});

test('no module imports itself round a circle, in any workspace, tests and scripts included', () => {
  assert.deepEqual(circles(imports), []);
});

test('a workspace imports another only when its package.json says so', () => {
  for (const [file, targets] of imports) {
    const own = file.split('/')[0]!;
    const { manifest } = [...manifests.values()].find((m) => m.dir === own)!;
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }));
    for (const target of targets) {
      const other = [...manifests.entries()].find(([, m]) => m.dir === target.split('/')[0]);
      if (!other || other[1].dir === own) continue;
      assert.ok(
        declared.has(other[0]),
        `${file} imports ${relative(own, target)} of ${other[0]}, undeclared`,
      );
    }
  }
});
