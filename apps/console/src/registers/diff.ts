// What changed between two versions of a processing activity, field by field, for people:
// a text replaced, items added to or removed from a list, a yes/no switched.
import { ACTIVITY_FLAGS, controllerText, transferText, type ActivityFlag, type ActivityVersion, type ProcessingActivity } from './activity';

export const TEXT_FIELDS = ['name', 'controller', 'dataProtectionOfficer', 'legalBasis', 'erasureTimeLimit'] as const;
export const LIST_FIELDS = ['purposes', 'dataSubjectCategories', 'dataCategories', 'recipients', 'transfers', 'securityMeasures'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type ListField = (typeof LIST_FIELDS)[number];
export type ActivityField = TextField | ListField | ActivityFlag;

/** Every field of an activity in the order the register shows them. */
export const ACTIVITY_FIELDS: readonly ActivityField[] = [
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
  ...ACTIVITY_FLAGS,
];

export type FieldChange =
  | { readonly field: TextField; readonly kind: 'text'; readonly before: string; readonly after: string }
  | { readonly field: ListField; readonly kind: 'list'; readonly added: readonly string[]; readonly removed: readonly string[] }
  | { readonly field: ActivityFlag; readonly kind: 'flag'; readonly before: boolean; readonly after: boolean };

const isText = (field: ActivityField): field is TextField => (TEXT_FIELDS as readonly string[]).includes(field);
const isList = (field: ActivityField): field is ListField => (LIST_FIELDS as readonly string[]).includes(field);

export function textValue(activity: ProcessingActivity, field: TextField): string {
  switch (field) {
    case 'controller':
      return controllerText(activity.controller);
    case 'dataProtectionOfficer':
      return activity.dataProtectionOfficer ?? '';
    case 'name':
    case 'legalBasis':
    case 'erasureTimeLimit':
      return activity[field];
  }
}

export function listValue(activity: ProcessingActivity, field: ListField): readonly string[] {
  return field === 'transfers' ? activity.transfers.map(transferText) : activity[field];
}

/** Items of `a` not in `b`, counting repeats (["x", "x"] minus ["x"] is ["x"]), in `a`'s order. */
export function without(a: readonly string[], b: readonly string[]): string[] {
  const remaining = new Map<string, number>();
  for (const item of b) remaining.set(item, (remaining.get(item) ?? 0) + 1);
  return a.filter((item) => {
    const left = remaining.get(item) ?? 0;
    if (left === 0) return true;
    remaining.set(item, left - 1);
    return false;
  });
}

/** The changes from `before` to `after`, in the register's field order; none when they are the same. */
export function diffActivities(before: ProcessingActivity, after: ProcessingActivity): FieldChange[] {
  return ACTIVITY_FIELDS.flatMap((field): FieldChange[] => {
    if (isText(field)) {
      const [b, a] = [textValue(before, field), textValue(after, field)];
      return b === a ? [] : [{ field, kind: 'text', before: b, after: a }];
    }
    if (isList(field)) {
      const [b, a] = [listValue(before, field), listValue(after, field)];
      const added = without(a, b);
      const removed = without(b, a);
      return added.length === 0 && removed.length === 0 ? [] : [{ field, kind: 'list', added, removed }];
    }
    return before[field] === after[field] ? [] : [{ field, kind: 'flag', before: before[field], after: after[field] }];
  });
}

/** The version that came right before `version` (by number), if any. */
export function previousVersion(versions: readonly ActivityVersion[], version: number): ActivityVersion | undefined {
  return versions
    .filter((v) => v.version < version)
    .reduce<ActivityVersion | undefined>((best, v) => (best === undefined || v.version > best.version ? v : best), undefined);
}

/** The changes a version made to the one before it; null for the first version. */
export function changesOf(versions: readonly ActivityVersion[], version: ActivityVersion): FieldChange[] | null {
  const previous = previousVersion(versions, version.version);
  return previous === undefined ? null : diffActivities(previous.activity, version.activity);
}
