/**
 * Every relative link in the repository's Markdown resolves to a file inside the repository, so a
 * user who clones statelab can follow each one (the contract lives in docs/contract.md).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../src/repo-root.ts';

const markdownFiles = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'],
  {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(REPO_ROOT, file)));

/** `[text](target)` and `![alt](target)`, without URLs with a scheme and in-page anchors. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'));
}

test('the repository has Markdown files to check, and docs/contract.md among them', () => {
  assert.ok(markdownFiles.includes('docs/contract.md'));
  assert.ok(markdownFiles.length >= 5);
});

for (const file of markdownFiles) {
  test(`${file}: every relative link resolves inside the repository`, () => {
    const links = relativeLinks(readFileSync(join(REPO_ROOT, file), 'utf8'));
    for (const link of links) {
      const target = resolve(REPO_ROOT, dirname(file), decodeURI(link.split('#')[0]!));
      const inside = relative(REPO_ROOT, target);
      assert.ok(!inside.startsWith('..'), `${file}: ${link} points outside the repository`);
      assert.ok(existsSync(target), `${file}: ${link} names no file`);
    }
  });
}

test('nothing cites the steering copy of the contract (shared/CONTRACT.md)', () => {
  const grep = spawnSync(
    'git',
    [
      'grep',
      '-n',
      '-I',
      '-E',
      'shared/CONTRACT|CONTRACT\\.md',
      '--',
      '.',
      ':!deploy/test/docs-links.test.ts',
    ],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  // git grep exits 1 when nothing matches, 0 when something does.
  assert.equal(grep.status, 1, grep.stdout);
});
