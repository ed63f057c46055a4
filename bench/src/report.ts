/**
 * Writing and reading report.json (docs/contract.md §6; its shape is in report-record.ts). Written
 * first, before any Markdown or HTML, so a rendering bug never costs a measurement.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Report, SCHEMA_VERSION } from './report-record.ts';

/** `bench-results/2026-01-01T00-00-00Z`: sortable, and safe in every file system. */
export function runDirName(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

export async function writeReportJson(dir: string, report: Report): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'report.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export async function readReportJson(dir: string): Promise<Report> {
  const text = await readFile(path.join(dir, 'report.json'), 'utf8');
  const report = JSON.parse(text) as Report;
  if (report?.schemaVersion !== SCHEMA_VERSION || !Array.isArray(report.results)) {
    throw new Error(
      `${path.join(dir, 'report.json')} is not a statelab report (schemaVersion ${SCHEMA_VERSION})`,
    );
  }
  return report;
}
