/**
 * nginx configuration as nested arrays of lines: a string is a line, an array is the indented body
 * of the block opened by the line before it. Rendering is the only place that knows about spaces.
 */
export type Block = ReadonlyArray<string | Block>;

/** A why-comment emitted into the rendered config. */
export function comment(text: string): string {
  return `# ${text}`;
}

export function renderBlock(block: Block, depth = 0): string {
  const pad = '    '.repeat(depth);
  return block
    .map((line) => (typeof line === 'string' ? `${pad}${line}\n` : renderBlock(line, depth + 1)))
    .join('');
}

/** `host:port`, with brackets for IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Upstream and variable names: nginx identifiers cannot hold `-`. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
