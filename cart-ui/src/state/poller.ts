/**
 * Runs a task every `intervalMs` while the tab is visible, never two at once. A hidden tab polls
 * nothing; becoming visible again runs the task at once and calls `onVisible`.
 */
export interface Poller {
  stop(): void;
}

/** The part of `document` the poller needs; tests hand in their own. */
export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export function startPolling(
  task: () => Promise<void>,
  intervalMs: number,
  onVisible: () => void,
  source: VisibilitySource = document,
): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let stopped = false;
  // A function, not a narrowed value: visibility can change across the task's await.
  const hidden = () => source.visibilityState === 'hidden';

  async function tick(): Promise<void> {
    timer = undefined;
    if (running || stopped || hidden()) return;
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (!stopped && !hidden()) timer = setTimeout(tick, intervalMs);
    }
  }

  function onVisibility(): void {
    if (hidden()) {
      clearTimeout(timer);
      timer = undefined;
      return;
    }
    onVisible();
    if (timer === undefined) void tick();
  }

  source.addEventListener('visibilitychange', onVisibility);
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      source.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
