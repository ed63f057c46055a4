/** Writes report.md, report.html and charts/*.svg beside report.json, rendered only from it. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from './report-record.ts';
import { charts } from './views/charts.ts';
import { renderHtml } from './views/html.ts';
import { renderMarkdown } from './views/markdown.ts';

export async function writeViews(dir: string, report: Report): Promise<string[]> {
  const rendered = charts(report);
  await mkdir(path.join(dir, 'charts'), { recursive: true });
  const files = [path.join(dir, 'report.md'), path.join(dir, 'report.html')];
  await writeFile(files[0]!, renderMarkdown(report, rendered));
  await writeFile(files[1]!, renderHtml(report, rendered));
  for (const c of rendered) {
    const file = path.join(dir, 'charts', `${c.id}.svg`);
    await writeFile(file, c.svg);
    files.push(file);
  }
  return files;
}
