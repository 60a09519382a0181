// The register of processing activities as the console shows it: the API's shapes, the table's
// cells (lists joined as the CSV export joins them), who may do what, and the impact assessment
// an activity needs (PIPL 55).
import type { components } from '../api/schema';

export type ActivityVersion = components['schemas']['ActivityVersion'];
export type ProcessingActivity = components['schemas']['ProcessingActivity'];
export type ActivityBody = components['schemas']['ActivityDto'];
export type RecordedAssessment = components['schemas']['RecordedImpactAssessment'];
export type AssessmentBody = components['schemas']['AssessmentDto'];
export type Conclusion = AssessmentBody['conclusion'];
export type LegalBasis = components['schemas']['DefinePurposeRequestDto']['legalBasis'];

/** The legal bases the register's print page names formally (GDPR 6(1), PIPL 13); the field also takes other text. */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
  'news-reporting',
  'publicly-disclosed',
] as const satisfies readonly LegalBasis[];

export const CONCLUSIONS = ['acceptable', 'acceptable-with-measures', 'not-acceptable'] as const satisfies readonly Conclusion[];

/** The PIPL 55 circumstances, in the order the API and its print page list them. */
export const ACTIVITY_FLAGS = ['sensitiveData', 'automatedDecisionMaking', 'entrustedProcessing', 'providedToOthers', 'publicDisclosure'] as const;
export type ActivityFlag = (typeof ACTIVITY_FLAGS)[number];

/** A list cell as the CSV export writes it ("a; b"). */
export const listText = (items: readonly string[]): string => items.join('; ');

export const transferText = (t: { readonly country: string; readonly safeguards: string }): string => `${t.country}: ${t.safeguards}`;

export const controllerText = (c: { readonly name: string; readonly contact: string }): string => `${c.name} (${c.contact})`;

/** What the person may do with the registers, from the session's permissions. */
export type RegisterAccess = 'manage' | 'read' | 'none';

export function registerAccess(permissions: readonly string[]): RegisterAccess {
  if (!permissions.includes('register:read')) return 'none';
  return permissions.includes('register:manage') ? 'manage' : 'read';
}

/** The assessments that cover an activity, newest assessment date first. */
export function assessmentsOf(assessments: readonly RecordedAssessment[], activityId: string): RecordedAssessment[] {
  return assessments
    .filter((a) => a.activityIds.includes(activityId))
    .sort((a, b) => b.assessedOn.localeCompare(a.assessedOn) || b.recordedAt.localeCompare(a.recordedAt));
}

/** Where an activity stands with its impact assessment: not needed, needed and missing, or the latest one. */
export type AssessmentStatus =
  | { readonly kind: 'not-required'; readonly latest?: RecordedAssessment }
  | { readonly kind: 'missing' }
  | { readonly kind: 'recorded'; readonly latest: RecordedAssessment };

export function assessmentStatus(version: ActivityVersion, assessments: readonly RecordedAssessment[]): AssessmentStatus {
  const [latest] = assessmentsOf(assessments, version.activityId);
  if (!version.assessmentRequired) return latest === undefined ? { kind: 'not-required' } : { kind: 'not-required', latest };
  return latest === undefined ? { kind: 'missing' } : { kind: 'recorded', latest };
}

/** Versions newest first (the API answers oldest first); a new array. */
export const newestFirst = (versions: readonly ActivityVersion[]): ActivityVersion[] => [...versions].sort((a, b) => b.version - a.version);

/** The activities whose name, purposes, legal basis or categories contain every word of `filter` (any case). */
export function filterActivities(versions: readonly ActivityVersion[], filter: string | undefined): ActivityVersion[] {
  const words = (filter ?? '')
    .toLowerCase()
    .split(/\s+/u)
    .filter((w) => w !== '');
  if (words.length === 0) return [...versions];
  return versions.filter((v) => {
    const a = v.activity;
    const text = [a.name, ...a.purposes, a.legalBasis, ...a.dataSubjectCategories, ...a.dataCategories, ...a.recipients, v.activityId].join('\n').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
