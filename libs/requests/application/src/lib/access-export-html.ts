import type { AccessExport } from './ports';

/** Export values are JSON data: text as is, anything else as JSON. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? '' : JSON.stringify(value);
}
const escape = (value: unknown): string =>
  text(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function table(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): string {
  if (rows.length === 0) return '<p>None.</p>';
  const head = columns.map((c) => `<th>${escape(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${r[c] === null || r[c] === undefined ? '' : escape(r[c])}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** D1: the access export as a readable, printable page (every value escaped; no scripts, no external resources). */
export function accessExportHtml(e: AccessExport): string {
  const profile = Object.entries(e.subject.profile).map(([field, value]) => ({ field, value }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your data</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%;margin:0 0 1.5em}th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eee}@media print{body{margin:0}}</style>
</head><body>
<h1>The personal data we hold about you</h1>
<p>Request ${escape(e.requestId)} · produced ${escape(e.generatedAt)} · subject reference ${escape(e.subject.customerId)}</p>
<h2>Profile</h2>
${table(profile, ['field', 'value'])}
<p>Tags: ${escape(e.subject.tags.join(', ') || 'none')} · under 14: ${e.subject.under14 ? 'yes' : 'no'} · processing restricted: ${e.subject.restricted ? 'yes' : 'no'} · since ${escape(e.subject.createdAt)}</p>
<h2>Notes of our contacts with you</h2>
${table(e.followUps, ['recordedAt', 'channel', 'note', 'dueOn'])}
<h2>Your consents and withdrawals</h2>
${table(e.consents.map((c) => ({ ...c, purpose: (c['purpose'] as { key?: string } | undefined)?.key ?? '' })), ['recordedAt', 'action', 'purpose', 'channel', 'scope', 'evidence', 'withdrawal'])}
<h2>How your data was processed</h2>
${table(e.processing, ['at', 'kind', 'purpose', 'categories', 'legalBasis', 'method', 'actor', 'channel', 'outcome'])}
<h2>Your requests</h2>
${table(e.requests.map((r) => ({ ...r })), ['receivedAt', 'requestType', 'status', 'dueOn', 'closedAt'])}
</body></html>
`;
}
