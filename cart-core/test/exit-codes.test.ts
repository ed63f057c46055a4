import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT } from '../src/exit-codes.ts';

test('every exit code means one thing: no two names share a number, and each fits a shell status', () => {
  const codes = Object.values(EXIT);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.ok(Number.isInteger(code) && code >= 0 && code <= 255, String(code));
  assert.deepEqual(
    { ok: EXIT.ok, usage: EXIT.usage, unavailable: EXIT.unavailable, config: EXIT.config },
    { ok: 0, usage: 64, unavailable: 69, config: 78 },
  );
});
