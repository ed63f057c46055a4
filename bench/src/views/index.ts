export { type Chart, charts } from './charts.ts';
export { type Claim, claims, type VerdictKind } from './claims.ts';
export { renderHtml } from './html.ts';
export { renderMarkdown } from './markdown.ts';
export { renderSummary } from './summary.ts';
