import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startPolling } from '../src/state/poller.ts';

/** An in-memory stand-in for `document`'s visibility: the one part of the page the poller reads. */
function visibility() {
  const target = new EventTarget();
  const source = {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (type: 'visibilitychange', listener: () => void) =>
      target.addEventListener(type, listener),
    removeEventListener: (type: 'visibilitychange', listener: () => void) =>
      target.removeEventListener(type, listener),
    set(state: DocumentVisibilityState) {
      source.visibilityState = state;
      target.dispatchEvent(new Event('visibilitychange'));
    },
  };
  return source;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('polling while the tab is visible', () => {
  it('polls at once, then every interval; a hidden tab polls nothing; visible again polls at once', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const tab = visibility();
    let runs = 0;
    let visibleAgain = 0;
    const poller = startPolling(
      async () => {
        runs += 1;
      },
      1500,
      () => {
        visibleAgain += 1;
      },
      tab,
    );
    t.after(() => poller.stop());
    await settle();
    assert.equal(runs, 1);
    t.mock.timers.tick(1500);
    await settle();
    assert.equal(runs, 2);

    tab.set('hidden');
    for (let i = 0; i < 10; i += 1) {
      t.mock.timers.tick(1500);
      await settle();
    }
    assert.equal(runs, 2);

    tab.set('visible');
    await settle();
    assert.equal(runs, 3);
    assert.equal(visibleAgain, 1);
    t.mock.timers.tick(1500);
    await settle();
    assert.equal(runs, 4);

    poller.stop();
    t.mock.timers.tick(15_000);
    await settle();
    assert.equal(runs, 4);
  });

  it('never runs two polls at once: a slow poll delays the next', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const tab = visibility();
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const poller = startPolling(
      () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        return new Promise<void>((resolve) => {
          release = () => {
            inFlight -= 1;
            resolve();
          };
        });
      },
      1500,
      () => undefined,
      tab,
    );
    t.after(() => poller.stop());
    await settle();
    t.mock.timers.tick(6000);
    tab.set('hidden');
    tab.set('visible');
    await settle();
    assert.equal(inFlight, 1);
    release();
    await settle();
    t.mock.timers.tick(1500);
    await settle();
    assert.equal(most, 1);
    assert.equal(inFlight, 1);
    release();
  });
});
