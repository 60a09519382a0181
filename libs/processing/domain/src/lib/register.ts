/**
 * The register of processing activities (P4: GDPR 30(1); PIPL 55–56),
 * personal information protection impact assessments (P5) and security
 * incidents (P6: GDPR 33's 72 hours). Documents about processing, not
 * personal data: names of people do not belong in them (roles and
 * organizations do).
 */
export interface ProcessingActivity {
  readonly name: string;
  readonly controller: { readonly name: string; readonly contact: string };
  readonly dataProtectionOfficer: string | null;
  readonly purposes: readonly string[];
  readonly legalBasis: string;
  readonly dataSubjectCategories: readonly string[];
  readonly dataCategories: readonly string[];
  readonly recipients: readonly string[];
  readonly transfers: readonly { readonly country: string; readonly safeguards: string }[];
  readonly erasureTimeLimit: string;
  readonly securityMeasures: readonly string[];
  /** PIPL 55: circumstances that require an impact assessment beforehand. */
  readonly sensitiveData: boolean;
  readonly automatedDecisionMaking: boolean;
  readonly entrustedProcessing: boolean;
  readonly providedToOthers: boolean;
  readonly publicDisclosure: boolean;
}

export interface ActivityVersion {
  readonly activityId: string;
  readonly version: number;
  readonly activity: ProcessingActivity;
  readonly recordedBy: string;
  readonly recordedAt: string;
  /** PIPL 55: an impact assessment is required before this processing. */
  readonly assessmentRequired: boolean;
}

export function assessmentRequired(a: ProcessingActivity): boolean {
  return a.sensitiveData || a.automatedDecisionMaking || a.entrustedProcessing || a.providedToOthers || a.publicDisclosure || a.transfers.length > 0;
}

export const ACTIVITY_COLUMNS = [
  'activityId',
  'version',
  'name',
  'controller',
  'dataProtectionOfficer',
  'purposes',
  'legalBasis',
  'dataSubjectCategories',
  'dataCategories',
  'recipients',
  'transfers',
  'erasureTimeLimit',
  'securityMeasures',
  'sensitiveData',
  'automatedDecisionMaking',
  'entrustedProcessing',
  'providedToOthers',
  'publicDisclosure',
  'assessmentRequired',
  'recordedBy',
  'recordedAt',
] as const;

/** One cell per column, as text (CSV and HTML exports share it). */
export function activityCells(v: ActivityVersion): Record<(typeof ACTIVITY_COLUMNS)[number], string> {
  const a = v.activity;
  const list = (xs: readonly string[]): string => xs.join('; ');
  return {
    activityId: v.activityId,
    version: String(v.version),
    name: a.name,
    controller: `${a.controller.name} (${a.controller.contact})`,
    dataProtectionOfficer: a.dataProtectionOfficer ?? '',
    purposes: list(a.purposes),
    legalBasis: a.legalBasis,
    dataSubjectCategories: list(a.dataSubjectCategories),
    dataCategories: list(a.dataCategories),
    recipients: list(a.recipients),
    transfers: list(a.transfers.map((t) => `${t.country}: ${t.safeguards}`)),
    erasureTimeLimit: a.erasureTimeLimit,
    securityMeasures: list(a.securityMeasures),
    sensitiveData: String(a.sensitiveData),
    automatedDecisionMaking: String(a.automatedDecisionMaking),
    entrustedProcessing: String(a.entrustedProcessing),
    providedToOthers: String(a.providedToOthers),
    publicDisclosure: String(a.publicDisclosure),
    assessmentRequired: String(v.assessmentRequired),
    recordedBy: v.recordedBy,
    recordedAt: v.recordedAt,
  };
}

const csvCell = (s: string): string => {
  // A leading formula character is neutralised for spreadsheet safety (CSV injection).
  const safe = /^[=+\-@\t\r]/u.test(s) ? `'${s}` : s;
  return /[",\r\n]/u.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function activitiesCsv(versions: readonly ActivityVersion[]): string {
  const rows = [ACTIVITY_COLUMNS.join(','), ...versions.map((v) => ACTIVITY_COLUMNS.map((c) => csvCell(activityCells(v)[c])).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}

const html = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

export function activitiesHtml(tenantId: string, versions: readonly ActivityVersion[], generatedAt: string): string {
  const head = ACTIVITY_COLUMNS.map((c) => `<th>${html(c)}</th>`).join('');
  const body = versions.map((v) => `<tr>${ACTIVITY_COLUMNS.map((c) => `<td>${html(activityCells(v)[c])}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register of processing activities — ${html(tenantId)}</title>
<style>body{font:11px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:3px 5px;vertical-align:top;text-align:left}th{background:#eee}@media print{@page{size:A4 landscape;margin:1cm}body{margin:0}tr{break-inside:avoid}}</style>
</head><body>
<h1>Register of processing activities</h1>
<p>Tenant ${html(tenantId)} · generated ${html(generatedAt)} · GDPR Art. 30(1), PIPL Art. 55–56 · ${String(versions.length)} activities (current versions)</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></body></html>
`;
}

export interface ImpactAssessment {
  readonly activityIds: readonly string[];
  readonly assessedOn: string;
  readonly assessor: string;
  readonly lawfulnessAndNecessity: string;
  readonly impactOnRights: string;
  readonly risks: readonly string[];
  readonly measures: readonly string[];
  readonly conclusion: 'acceptable' | 'acceptable-with-measures' | 'not-acceptable';
}

export const INCIDENT_KINDS = ['leak', 'tampering', 'loss', 'unauthorized-access', 'other'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface IncidentReport {
  readonly kind: IncidentKind;
  readonly description: string;
  /** When the controller became aware: the 72-hour clock starts here (GDPR 33(1)). */
  readonly awareAt: string;
  readonly occurredAt: string | null;
  readonly dataCategories: readonly string[];
  readonly affectedSubjectsEstimate: number;
  readonly likelyConsequences: string;
}

export type IncidentUpdate =
  | { readonly type: 'authority-notified'; readonly at: string; readonly authority: string; readonly reference: string; readonly delayReason: string | null }
  | { readonly type: 'subjects-notified'; readonly at: string; readonly channel: string; readonly count: number }
  | { readonly type: 'remedy'; readonly at: string; readonly description: string }
  | { readonly type: 'closed'; readonly at: string; readonly summary: string };

export const AUTHORITY_DEADLINE_HOURS = 72;

export interface IncidentView {
  readonly incidentId: string;
  readonly report: IncidentReport;
  readonly reportedBy: string;
  readonly reportedAt: string;
  readonly authorityDeadline: string;
  readonly authorityNotifiedAt: string | null;
  readonly notifiedWithinDeadline: boolean | null;
  /** Not notified and the deadline passed. */
  readonly overdue: boolean;
  readonly subjectsNotifiedAt: string | null;
  readonly remedies: readonly { readonly at: string; readonly description: string }[];
  readonly closedAt: string | null;
  readonly updates: readonly IncidentUpdate[];
}

export function incidentView(incidentId: string, report: IncidentReport, reportedBy: string, reportedAt: string, updates: readonly IncidentUpdate[], now: Date): IncidentView {
  const deadline = new Date(Date.parse(report.awareAt) + AUTHORITY_DEADLINE_HOURS * 3_600_000);
  const authority = updates.find((u) => u.type === 'authority-notified');
  const subjects = updates.find((u) => u.type === 'subjects-notified');
  const closed = updates.find((u) => u.type === 'closed');
  return {
    incidentId,
    report,
    reportedBy,
    reportedAt,
    authorityDeadline: deadline.toISOString(),
    authorityNotifiedAt: authority?.at ?? null,
    notifiedWithinDeadline: authority ? Date.parse(authority.at) <= deadline.getTime() : null,
    overdue: !authority && now.getTime() > deadline.getTime(),
    subjectsNotifiedAt: subjects?.at ?? null,
    remedies: updates.flatMap((u) => (u.type === 'remedy' ? [{ at: u.at, description: u.description }] : [])),
    closedAt: closed?.at ?? null,
    updates,
  };
}
