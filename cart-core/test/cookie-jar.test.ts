import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCookieJar } from '../src/dev/index.ts';

describe('cookie jar', () => {
  it('keeps name=value pairs and sends them back', () => {
    const jar = createCookieJar();
    assert.equal(jar.header(), undefined);
    jar.store(['a=1; Path=/; HttpOnly', 'b=s%3Ax.y; Path=/stateful/']);
    assert.equal(jar.header(), 'a=1; b=s%3Ax.y');
    jar.store(['a=2']);
    assert.equal(jar.get('a'), '2');
  });

  it('drops cookies cleared with Max-Age=0 or a past Expires', () => {
    const jar = createCookieJar();
    jar.store(['a=1', 'b=2', 'c=3']);
    jar.store(['a=; Max-Age=0', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    assert.equal(jar.header(), 'c=3');
  });
});
