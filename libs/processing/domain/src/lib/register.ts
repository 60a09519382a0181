import { DEFAULT_DOCUMENT, escapeHtml, formatWhen, wordFor, type DocumentOptions } from '@attest/kernel';

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

/** One CSV cell (RFC 4180 quoting; a leading formula character neutralised). */
export const csvCell = (s: string): string => {
  // A leading formula character is neutralised for spreadsheet safety (CSV injection).
  const safe = /^[=+\-@\t\r]/u.test(s) ? `'${s}` : s;
  return /[",\r\n]/u.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function activitiesCsv(versions: readonly ActivityVersion[]): string {
  const rows = [ACTIVITY_COLUMNS.join(','), ...versions.map((v) => ACTIVITY_COLUMNS.map((c) => csvCell(activityCells(v)[c])).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * The register as a regulator reads it (GDPR Art. 30(1), PIPL Art. 55–56): one
 * section per activity, its fields as labelled rows, in English or Simplified
 * Chinese, printable on A4. Every value is escaped.
 */
export function activitiesHtml(
  tenantId: string,
  versions: readonly ActivityVersion[],
  generatedAt: string,
  options: DocumentOptions = DEFAULT_DOCUMENT,
): string {
  const { lang } = options;
  const t = (en: string, zh: string): string => (lang === 'zh-CN' ? zh : en);
  const yes = (b: boolean): string => (b ? t('yes', '是') : t('no', '否'));
  const list = (xs: readonly string[]): string => (xs.length === 0 ? t('none', '无') : xs.map((x) => `<div>${escapeHtml(x)}</div>`).join(''));
  const section = (v: ActivityVersion): string => {
    const a = v.activity;
    const rows: [string, string][] = [
      [t('Controller and contact', '处理者及联系方式'), escapeHtml(`${a.controller.name} (${a.controller.contact})`)],
      [t('Data protection officer', '个人信息保护负责人'), escapeHtml(a.dataProtectionOfficer ?? t('none named', '未指定'))],
      [t('Purposes', '处理目的'), list(a.purposes)],
      [t('Legal basis', '法律依据'), escapeHtml(wordFor('legalBasisFormal', a.legalBasis, lang))],
      [t('Categories of data subjects', '个人信息主体类别'), list(a.dataSubjectCategories)],
      [t('Categories of personal data', '个人信息类别'), list(a.dataCategories.map((c) => wordFor('category', c, lang)))],
      [t('Recipients', '接收方'), list(a.recipients)],
      [t('Transfers abroad and safeguards', '跨境传输及保障措施'), list(a.transfers.map((x) => `${x.country}: ${x.safeguards}`))],
      [t('Time limit for erasure', '删除期限'), escapeHtml(a.erasureTimeLimit)],
      [t('Security measures', '安全措施'), list(a.securityMeasures)],
      [t('Sensitive personal information', '敏感个人信息'), yes(a.sensitiveData)],
      [t('Automated decision-making', '自动化决策'), yes(a.automatedDecisionMaking)],
      [t('Entrusted processing', '委托处理'), yes(a.entrustedProcessing)],
      [t('Provided to other handlers', '向其他处理者提供'), yes(a.providedToOthers)],
      [t('Public disclosure', '公开'), yes(a.publicDisclosure)],
      [t('Impact assessment required beforehand (PIPL 55)', '事前需进行个人信息保护影响评估（PIPL 55）'), yes(v.assessmentRequired)],
      [t('Version', '版本'), `${String(v.version)} · ${escapeHtml(formatWhen(v.recordedAt, options))}`],
      [t('Reference', '编号'), escapeHtml(v.activityId)],
    ];
    return `<section class="activity"><h2>${escapeHtml(a.name)}</h2><table>${rows.map(([k, value]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${value}</td></tr>`).join('')}</table></section>`;
  };
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('Register of processing activities', '个人信息处理活动记录')} — ${escapeHtml(tenantId)}</title>
<style>
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:2em auto;max-width:52em;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{width:34%;font-weight:600;color:#333}tr+tr>*{border-top:1px solid #eee}.meta{color:#444}
@media print{@page{size:A4;margin:1.5cm}body{margin:0;max-width:none;font-size:10pt}.activity{break-inside:avoid}}
</style>
</head><body>
<h1>${t('Register of processing activities', '个人信息处理活动记录')}</h1>
<p class="meta">${escapeHtml(tenantId)} · ${t('generated', '生成时间')} ${escapeHtml(formatWhen(generatedAt, options))} · GDPR Art. 30(1), PIPL Art. 55–56 · ${t(`${String(versions.length)} activities (current versions)`, `共 ${String(versions.length)} 项活动（当前版本）`)}</p>
${versions.length === 0 ? `<p>${t('No activities are recorded yet.', '尚未记录任何处理活动。')}</p>` : versions.map(section).join('\n')}
</body></html>
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

export function incidentView(
  incidentId: string,
  report: IncidentReport,
  reportedBy: string,
  reportedAt: string,
  updates: readonly IncidentUpdate[],
  now: Date,
): IncidentView {
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
