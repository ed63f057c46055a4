/** An instance's name on its colour: the colour helps the eye, the name carries the meaning. */
import { instanceColour } from '../logic/instance-colour.ts';
import { h } from './dom.ts';

export function chip(instance: string | undefined, props: Record<string, string> = {}): HTMLElement {
  if (instance === undefined) return h('span', { class: 'chip chip-none', ...props }, 'no instance');
  return h('span', { class: 'chip', style: { '--chip': instanceColour(instance) }, ...props }, instance);
}
