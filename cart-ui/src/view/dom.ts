/** A small element builder, so views read as the markup they make. */
type Child = Node | string | number | false | null | undefined;
type Listener = (event: Event) => void;
/** CSS properties by name, custom properties (`--chip`) included. */
export type Style = Readonly<Record<string, string>>;
export type Props = Record<string, string | number | boolean | Listener | Style | undefined>;

/**
 * `on*` functions become listeners, `class` the class name, `value` the live value, an object the
 * inline style; false omits.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = String(value);
    else if (key === 'value') (element as HTMLInputElement).value = String(value);
    // Through CSSOM: the page's CSP refuses a style attribute, not properties set from script.
    else if (typeof value === 'object')
      for (const [name, v] of Object.entries(value)) element.style.setProperty(name, v);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces a container's content and puts the focus back on the element with the same `data-key`,
 * so that a re-render after a keyboard action does not throw the user's focus away.
 */
export function render(container: HTMLElement, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren();
  append(container, children);
  if (key !== undefined) container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}
