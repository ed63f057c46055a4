/** `npm run build`: writes the page to `cart-ui/dist` (the lab builds its own copy at start-up). */
import { buildUi } from '../src/index.ts';

buildUi().then(
  (dir) => process.stdout.write(`built ${dir}\n`),
  (err: unknown) => {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
