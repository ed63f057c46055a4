/**
 * The instances as the control API reports them, the actions this page started on them, and
 * whether the control API is there at all (under compose it may not be).
 */
import {
  type ControlAction,
  type ControlInstance,
  type InstanceList,
  instanceAction,
  listInstances,
} from '../api/control-client.ts';
import type { ApiError } from '../logic/cart-shape.ts';
import type { InstanceFate } from '../logic/loss.ts';

export interface InstancePanelModel {
  /** undefined until the first answer. */
  reachable?: boolean;
  runtime?: string;
  instances: readonly ControlInstance[];
  /** Actions in flight, by instance id. */
  pending: Map<string, ControlAction>;
  /** The last action this page finished that took each instance down (kill, stop, restart). */
  downedBy: Map<string, ControlAction>;
  error?: ApiError & { readonly id: string; readonly action: ControlAction };
}

export interface InstanceStore {
  readonly model: InstancePanelModel;
  /** Re-reads the list; resolves to the variants whose instances changed state. */
  refresh(): Promise<Set<string>>;
  act(id: string, action: ControlAction): Promise<Set<string>>;
  fate(id: string): InstanceFate;
}

const FATE_OF_ACTION: Partial<Record<ControlAction, InstanceFate>> = {
  kill: 'killed',
  stop: 'stopped',
  restart: 'restarted',
};

export function createInstanceStore(onChange: (model: InstancePanelModel) => void): InstanceStore {
  const model: InstancePanelModel = { instances: [], pending: new Map(), downedBy: new Map() };

  function apply(list: InstanceList): Set<string> {
    const changed = new Set<string>();
    if (!list.reachable) {
      model.reachable = false;
      model.instances = [];
      return changed;
    }
    const before = new Map(model.instances.map((i) => [i.id, i.state]));
    for (const instance of list.instances) {
      const was = before.get(instance.id);
      if (was !== undefined && was !== instance.state) changed.add(instance.variant);
    }
    model.reachable = true;
    model.runtime = list.runtime;
    model.instances = list.instances;
    return changed;
  }

  async function refresh(): Promise<Set<string>> {
    const changed = apply(await listInstances());
    onChange(model);
    return changed;
  }

  return {
    model,
    refresh,
    async act(id, action) {
      model.pending.set(id, action);
      model.error = undefined;
      onChange(model);
      const error = await instanceAction(id, action);
      model.pending.delete(id);
      if (error) model.error = { ...error, id, action };
      // A start does not explain a loss; what took the instance down before it does.
      else if (action !== 'start') model.downedBy.set(id, action);
      const changed = await refresh();
      const variant = model.instances.find((i) => i.id === id)?.variant;
      if (variant) changed.add(variant);
      return changed;
    },
    fate(id) {
      const state = model.instances.find((i) => i.id === id)?.state;
      // An action still in flight already explains a loss seen by a poll that overtook its answer.
      const last = model.pending.get(id) ?? model.downedBy.get(id);
      const byAction = last ? FATE_OF_ACTION[last] : undefined;
      if (byAction) return byAction;
      if (state === 'crashed') return 'crashed';
      if (state === 'stopped') return 'down';
      return 'unknown';
    },
  };
}
