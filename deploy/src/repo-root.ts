import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: `deploy/src/..` up one more. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
