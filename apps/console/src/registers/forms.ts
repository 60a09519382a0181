// The activity and assessment forms: drafts as people type them (lists one item per line), the
// API's rules checked before sending (the same limits as its request DTOs), and the API's own
// field errors put beside the inputs they name.
import type { FieldError } from '../api/problem';
import {
  CONCLUSIONS,
  isUuid,
  transferText,
  type ActivityBody,
  type ActivityFlag,
  type AssessmentBody,
  type Conclusion,
  type ProcessingActivity,
} from './activity';

/** What is wrong with one field; the page words it in the person's language. */
export type Issue =
  | { readonly code: 'required' }
  | { readonly code: 'tooLong'; readonly max: number }
  | { readonly code: 'tooMany'; readonly max: number }
  | { readonly code: 'itemTooLong'; readonly max: number; readonly line: number }
  | { readonly code: 'transferFormat'; readonly line: number }
  | { readonly code: 'date' }
  | { readonly code: 'choice' };

export type Issues<F extends string> = Partial<Record<F, Issue>>;

export type Checked<F extends string, B> = { readonly ok: true; readonly body: B } | { readonly ok: false; readonly issues: Issues<F> };

/** Lines of a list field: trimmed, blank lines left out. */
export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/u)
    .map((l) => l.trim())
    .filter((l) => l !== '');

function textIssue(value: string, max: number, required = true): Issue | undefined {
  if (required && value.trim() === '') return { code: 'required' };
  // Lengths as the API counts them (UTF-16 code units, like class-validator).
  if (value.trim().length > max) return { code: 'tooLong', max };
  return undefined;
}

function listIssue(items: readonly string[], { min, max, itemMax }: { min: number; max: number; itemMax: number }): Issue | undefined {
  if (items.length < min) return { code: 'required' };
  if (items.length > max) return { code: 'tooMany', max };
  const long = items.findIndex((item) => item.length > itemMax);
  return long === -1 ? undefined : { code: 'itemTooLong', max: itemMax, line: long + 1 };
}

// ---- Processing activities -------------------------------------------------------------

export interface ActivityDraft {
  readonly name: string;
  readonly controllerName: string;
  readonly controllerContact: string;
  readonly dataProtectionOfficer: string;
  readonly purposes: string;
  readonly legalBasis: string;
  readonly dataSubjectCategories: string;
  readonly dataCategories: string;
  readonly recipients: string;
  /** One transfer a line: "US: Standard contractual clauses 2021/914". */
  readonly transfers: string;
  readonly erasureTimeLimit: string;
  readonly securityMeasures: string;
  readonly sensitiveData: boolean;
  readonly automatedDecisionMaking: boolean;
  readonly entrustedProcessing: boolean;
  readonly providedToOthers: boolean;
  readonly publicDisclosure: boolean;
}

export type ActivityTextInput = Exclude<keyof ActivityDraft, ActivityFlag>;

export const ACTIVITY_TEXT_INPUTS: readonly ActivityTextInput[] = [
  'name',
  'controllerName',
  'controllerContact',
  'dataProtectionOfficer',
  'purposes',
  'legalBasis',
  'dataSubjectCategories',
  'dataCategories',
  'recipients',
  'transfers',
  'erasureTimeLimit',
  'securityMeasures',
];

export const EMPTY_ACTIVITY: ActivityDraft = {
  name: '',
  controllerName: '',
  controllerContact: '',
  dataProtectionOfficer: '',
  purposes: '',
  legalBasis: '',
  dataSubjectCategories: '',
  dataCategories: '',
  recipients: '',
  transfers: '',
  erasureTimeLimit: '',
  securityMeasures: '',
  sensitiveData: false,
  automatedDecisionMaking: false,
  entrustedProcessing: false,
  providedToOthers: false,
  publicDisclosure: false,
};

/** A version's content as a draft to revise. */
export function activityDraft(a: ProcessingActivity): ActivityDraft {
  return {
    name: a.name,
    controllerName: a.controller.name,
    controllerContact: a.controller.contact,
    dataProtectionOfficer: a.dataProtectionOfficer ?? '',
    purposes: a.purposes.join('\n'),
    legalBasis: a.legalBasis,
    dataSubjectCategories: a.dataSubjectCategories.join('\n'),
    dataCategories: a.dataCategories.join('\n'),
    recipients: a.recipients.join('\n'),
    transfers: a.transfers.map(transferText).join('\n'),
    erasureTimeLimit: a.erasureTimeLimit,
    securityMeasures: a.securityMeasures.join('\n'),
    sensitiveData: a.sensitiveData,
    automatedDecisionMaking: a.automatedDecisionMaking,
    entrustedProcessing: a.entrustedProcessing,
    providedToOthers: a.providedToOthers,
    publicDisclosure: a.publicDisclosure,
  };
}

/** "US: safeguards" (a full-width colon too) → the transfer; null when the line is not one. */
export function parseTransfer(line: string): { country: string; safeguards: string } | null {
  const match = /^([A-Za-z]{2})\s*[:：]\s*(.+)$/u.exec(line);
  if (match === null || match[1] === undefined || match[2] === undefined) return null;
  return { country: match[1].toUpperCase(), safeguards: match[2].trim() };
}

const LIST = { min: 1, max: 50, itemMax: 200 };

/** The draft checked against POST/PUT /v1/processing-activities' rules; the body to send when it passes. */
export function checkActivity(d: ActivityDraft): Checked<ActivityTextInput, ActivityBody> {
  const purposes = lines(d.purposes);
  const dataSubjectCategories = lines(d.dataSubjectCategories);
  const dataCategories = lines(d.dataCategories);
  const recipients = lines(d.recipients);
  const securityMeasures = lines(d.securityMeasures);
  const transferLines = lines(d.transfers);
  const transfers = transferLines.map(parseTransfer);
  const badTransfer = transfers.findIndex((t) => t === null);
  const longSafeguards = transfers.findIndex((t) => t !== null && t.safeguards.length > 500);

  const issues: Partial<Record<ActivityTextInput, Issue | undefined>> = {
    name: textIssue(d.name, 200),
    controllerName: textIssue(d.controllerName, 200),
    controllerContact: textIssue(d.controllerContact, 200),
    dataProtectionOfficer: textIssue(d.dataProtectionOfficer, 200),
    purposes: listIssue(purposes, LIST),
    legalBasis: textIssue(d.legalBasis, 100),
    dataSubjectCategories: listIssue(dataSubjectCategories, LIST),
    dataCategories: listIssue(dataCategories, LIST),
    recipients: listIssue(recipients, { ...LIST, min: 0 }),
    transfers:
      transferLines.length > 50
        ? { code: 'tooMany', max: 50 }
        : badTransfer !== -1
          ? { code: 'transferFormat', line: badTransfer + 1 }
          : longSafeguards !== -1
            ? { code: 'itemTooLong', max: 500, line: longSafeguards + 1 }
            : undefined,
    erasureTimeLimit: textIssue(d.erasureTimeLimit, 500),
    securityMeasures: listIssue(securityMeasures, LIST),
  };
  const found = withoutEmpty(issues, ACTIVITY_TEXT_INPUTS);
  if (Object.keys(found).length > 0) return { ok: false, issues: found };
  return {
    ok: true,
    body: {
      name: d.name.trim(),
      controller: { name: d.controllerName.trim(), contact: d.controllerContact.trim() },
      dataProtectionOfficer: d.dataProtectionOfficer.trim(),
      purposes,
      legalBasis: d.legalBasis.trim(),
      dataSubjectCategories,
      dataCategories,
      recipients,
      transfers: transfers.filter((t) => t !== null),
      erasureTimeLimit: d.erasureTimeLimit.trim(),
      securityMeasures,
      sensitiveData: d.sensitiveData,
      automatedDecisionMaking: d.automatedDecisionMaking,
      entrustedProcessing: d.entrustedProcessing,
      providedToOthers: d.providedToOthers,
      publicDisclosure: d.publicDisclosure,
    },
  };
}

/** The input an API field error names ("controller.contact" → controllerContact, "transfers.0.country" → transfers). */
export function activityInputOf(field: string): ActivityTextInput | undefined {
  const [head, sub] = field.split('.');
  if (head === 'controller') return sub === 'contact' ? 'controllerContact' : 'controllerName';
  return ACTIVITY_TEXT_INPUTS.find((input) => input === head);
}

// ---- Impact assessments ----------------------------------------------------------------

export interface AssessmentDraft {
  readonly activityIds: readonly string[];
  /** YYYY-MM-DD (an <input type="date">). */
  readonly assessedOn: string;
  readonly assessor: string;
  readonly lawfulnessAndNecessity: string;
  readonly impactOnRights: string;
  readonly risks: string;
  readonly measures: string;
  readonly conclusion: Conclusion | '';
}

export type AssessmentInput = keyof AssessmentDraft;

export const ASSESSMENT_INPUTS: readonly AssessmentInput[] = [
  'activityIds',
  'assessedOn',
  'assessor',
  'lawfulnessAndNecessity',
  'impactOnRights',
  'risks',
  'measures',
  'conclusion',
];

/** Today in the person's calendar (not UTC's), as YYYY-MM-DD. */
export function localDate(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(now.getFullYear())}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export const emptyAssessment = (activityIds: readonly string[], today: string): AssessmentDraft => ({
  activityIds,
  assessedOn: today,
  assessor: '',
  lawfulnessAndNecessity: '',
  impactOnRights: '',
  risks: '',
  measures: '',
  conclusion: '',
});

/** A calendar date that exists (2026-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(value);
  if (match === null) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const isConclusion = (value: string): value is Conclusion => (CONCLUSIONS as readonly string[]).includes(value);

/** The draft checked against POST /v1/impact-assessments' rules; the body to send when it passes. */
export function checkAssessment(d: AssessmentDraft): Checked<AssessmentInput, AssessmentBody> {
  const risks = lines(d.risks);
  const measures = lines(d.measures);
  const ids = [...new Set(d.activityIds)];
  const issues: Partial<Record<AssessmentInput, Issue | undefined>> = {
    activityIds: ids.length === 0 ? { code: 'required' } : ids.length > 50 ? { code: 'tooMany', max: 50 } : ids.every(isUuid) ? undefined : { code: 'choice' },
    assessedOn: d.assessedOn === '' ? { code: 'required' } : isCalendarDate(d.assessedOn) ? undefined : { code: 'date' },
    assessor: textIssue(d.assessor, 200),
    lawfulnessAndNecessity: textIssue(d.lawfulnessAndNecessity, 5000),
    impactOnRights: textIssue(d.impactOnRights, 5000),
    risks: listIssue(risks, { min: 0, max: 100, itemMax: 1000 }),
    measures: listIssue(measures, { min: 0, max: 100, itemMax: 1000 }),
    conclusion: d.conclusion === '' ? { code: 'required' } : isConclusion(d.conclusion) ? undefined : { code: 'choice' },
  };
  const found = withoutEmpty(issues, ASSESSMENT_INPUTS);
  if (Object.keys(found).length > 0 || d.conclusion === '') return { ok: false, issues: found };
  return {
    ok: true,
    body: {
      activityIds: ids,
      assessedOn: d.assessedOn,
      assessor: d.assessor.trim(),
      lawfulnessAndNecessity: d.lawfulnessAndNecessity.trim(),
      impactOnRights: d.impactOnRights.trim(),
      risks,
      measures,
      conclusion: d.conclusion,
    },
  };
}

export function assessmentInputOf(field: string): AssessmentInput | undefined {
  const [head] = field.split('.');
  return ASSESSMENT_INPUTS.find((input) => input === head);
}

// ---- Both ------------------------------------------------------------------------------

function withoutEmpty<F extends string>(issues: Partial<Record<F, Issue | undefined>>, inputs: readonly F[]): Issues<F> {
  const result: Issues<F> = {};
  for (const input of inputs) {
    const issue = issues[input];
    if (issue !== undefined) result[input] = issue;
  }
  return result;
}

/** The API's field errors by input (the first message of each), for showing beside the inputs. */
export function serverIssues<F extends string>(
  errors: readonly FieldError[] | undefined,
  inputOf: (field: string) => F | undefined,
): Partial<Record<F, string>> {
  const result: Partial<Record<F, string>> = {};
  for (const e of errors ?? []) {
    const input = inputOf(e.field);
    if (input !== undefined && result[input] === undefined) result[input] = e.message;
  }
  return result;
}
