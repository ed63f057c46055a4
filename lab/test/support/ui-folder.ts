/**
 * A stand-in for the built cart UI: the lab serves whatever folder it is given (the real build is
 * tested against a lab in cart-ui, which depends on the lab, not the other way round).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UiFolder {
  readonly dir: string;
  remove(): Promise<void>;
}

export async function uiFolder(): Promise<UiFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-ui-'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><title>statelab</title><script type="module" src="/app.js"></script>\n',
  );
  await writeFile(join(dir, 'app.js'), 'document.title = "statelab";\n');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
