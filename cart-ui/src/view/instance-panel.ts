/**
 * Every instance and Redis with a live state dot (the state written too) and kill / stop / start /
 * restart buttons. Without a control API (compose), the docker commands that do the same.
 */
import { instanceId, REDIS_ID, VARIANTS } from '@statelab/cart-core';
import { CONTROL_ACTIONS, type ControlAction, type ControlInstance } from '../api/control-client.ts';
import { compareInstances } from '../logic/instance-colour.ts';
import type { InstancePanelModel } from '../state/instance-store.ts';
import { chip } from './chip.ts';
import { h, render } from './dom.ts';

const PENDING_TEXT: Readonly<Record<ControlAction, string>> = {
  kill: 'killing…',
  stop: 'stopping…',
  start: 'starting…',
  restart: 'restarting…',
};
const LABEL: Readonly<Record<ControlAction, string>> = {
  kill: 'Kill',
  stop: 'Stop',
  start: 'Start',
  restart: 'Restart',
};

export interface PanelContext {
  /** Variants in topology order; Redis joins the group of the variants that need it. */
  readonly groups: ReadonlyArray<{ readonly variant: string; readonly withRedis: boolean }>;
  /** A short note per instance id, e.g. "your session" on the stateful home. */
  readonly notes: ReadonlyMap<string, string>;
  /** Instance ids to use in the manual commands when there is no control API. */
  readonly examples: readonly string[];
}

function applicable(action: ControlAction, instance: ControlInstance): boolean {
  const up = instance.state === 'running' || instance.state === 'starting';
  return action === 'start' ? !up : action === 'restart' ? true : up;
}

export function createInstancePanel(onAction: (id: string, action: ControlAction) => void) {
  const status = h('p', { class: 'panel-status', 'aria-live': 'polite' });
  const body = h('div', { class: 'panel-body' });
  const element = h(
    'section',
    { class: 'instances', 'aria-labelledby': 'instances-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'instances-title' }, 'Instances'), status),
    body,
  );

  function row(
    instance: ControlInstance,
    model: InstancePanelModel,
    notes: ReadonlyMap<string, string>,
  ): HTMLElement {
    const pending = model.pending.get(instance.id);
    const stateText = pending ? PENDING_TEXT[pending] : instance.state;
    const note = notes.get(instance.id);
    return h(
      'li',
      { class: 'instance', 'data-instance': instance.id, 'data-state': instance.state },
      h('span', { class: `dot state-${pending ? 'starting' : instance.state}`, 'aria-hidden': 'true' }),
      chip(instance.id),
      h('span', { class: 'state', 'data-testid': 'state' }, stateText),
      h(
        'span',
        { class: 'actions' },
        ...CONTROL_ACTIONS.map((action) =>
          h(
            'button',
            {
              type: 'button',
              class: `small action-${action}`,
              'data-key': `${action}-${instance.id}`,
              'aria-label': `${LABEL[action]} ${instance.id}`,
              disabled: pending !== undefined || !applicable(action, instance),
              onclick: () => onAction(instance.id, action),
            },
            LABEL[action],
          ),
        ),
      ),
      // Below the row, so the home instance's buttons line up with the others'.
      note ? h('span', { class: 'note-line' }, h('span', { class: 'note' }, note)) : null,
    );
  }

  function manual(context: PanelContext): HTMLElement {
    const ids = context.examples.length ? context.examples : [instanceId(VARIANTS[0], 1)];
    const lines = ids.flatMap((id) => [`docker compose kill ${id}`, `docker compose start ${id}`]);
    return h(
      'div',
      { class: 'manual', 'data-testid': 'manual' },
      h(
        'p',
        {},
        'The control API is not reachable (under docker compose it does not run), so this page cannot kill or start instances. From a terminal in the repository:',
      ),
      h('pre', { tabindex: 0 }, [...lines, `docker compose restart ${REDIS_ID}`].join('\n')),
    );
  }

  let shown = '';

  return {
    element,
    update(model: InstancePanelModel, context: PanelContext): void {
      // Polling re-reads the list every second or two: redraw only when something visible changed.
      const signature = JSON.stringify([model, [...model.pending], [...context.notes], context.examples]);
      if (signature === shown) return;
      shown = signature;
      if (model.reachable === undefined) {
        status.textContent = 'asking the control API…';
        return;
      }
      if (!model.reachable) {
        status.textContent = 'control API not reachable';
        render(body, manual(context));
        return;
      }
      status.textContent = `live from the ${model.runtime} runtime`;
      const byVariant = (variant: string) =>
        model.instances.filter((i) => i.variant === variant).sort((a, b) => compareInstances(a.id, b.id));
      const grouped = context.groups.map(({ variant, withRedis }) =>
        h(
          'div',
          { class: 'group' },
          h('h3', {}, variant),
          h(
            'ul',
            {},
            ...[...byVariant(variant), ...(withRedis ? byVariant(REDIS_ID) : [])].map((i) =>
              row(i, model, context.notes),
            ),
          ),
        ),
      );
      const others = model.instances.filter(
        (i) => !context.groups.some((g) => g.variant === i.variant) && i.variant !== REDIS_ID,
      );
      const failed = model.error;
      render(
        body,
        failed
          ? h(
              'p',
              { class: 'error', role: 'alert' },
              `${failed.action} ${failed.id} failed: `,
              h('code', {}, failed.code),
              ` ${failed.message}`,
            )
          : null,
        h('div', { class: 'groups' }, ...grouped),
        others.length
          ? h(
              'div',
              { class: 'group' },
              h('h3', {}, 'other'),
              h('ul', {}, ...others.map((i) => row(i, model, context.notes))),
            )
          : null,
      );
    },
  };
}
