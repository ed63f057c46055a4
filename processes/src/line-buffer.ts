/** The last lines a child printed, kept for error messages ("stateful-2 exited with code 78: ..."). */
export interface LineBuffer {
  push(chunk: string): void;
  lines(): string[];
}

export function createLineBuffer(capacity = 20): LineBuffer {
  const kept: string[] = [];
  let partial = '';
  return {
    push(chunk) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (line.trim() === '') continue;
        kept.push(line);
        if (kept.length > capacity) kept.shift();
      }
    },
    lines: () => (partial.trim() === '' ? [...kept] : [...kept, partial].slice(-capacity)),
  };
}
