import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from here so `--import tsx` and app paths resolve. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
