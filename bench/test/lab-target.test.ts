import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '@statelab/processes';
import { openComposeLab } from '../src/lab-target.ts';

describe('compose lab target', () => {
  it('--runtime compose with nothing listening → a clear error that says how to start compose', async () => {
    const port = await freePort();
    await assert.rejects(openComposeLab(`http://127.0.0.1:${port}`), /docker compose up --build/);
  });
});
