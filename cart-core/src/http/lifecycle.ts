/** Whether this instance is draining; shared by the server (which starts it) and `/readyz`. */
export interface Lifecycle {
  readonly startedAt: Date;
  isDraining(): boolean;
  startDrain(): void;
}

export function createLifecycle(now: Date = new Date()): Lifecycle {
  let draining = false;
  return {
    startedAt: now,
    isDraining: () => draining,
    startDrain: () => {
      draining = true;
    },
  };
}
