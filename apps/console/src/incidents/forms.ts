// The forms of the incident register and of legal holds: what a person typed (strings, times in
// their own zone) checked as the API's request DTOs check it, and turned into the request body.
// The register's own rules (an update not before awareness, one notification of each kind,
// nothing after closing) stay the API's: its refusal is shown as it answers (problem+json).
import type { components } from '../api/schema';
import { fromLocalInput } from '../records/search';
import type { IncidentKind, IncidentUpdate } from './countdown';
import { INCIDENT_KINDS } from './search';

export type FieldProblem =
  | { readonly code: 'required' }
  | { readonly code: 'too-long'; readonly max: number }
  | { readonly code: 'too-many'; readonly max: number }
  | { readonly code: 'instant' }
  | { readonly code: 'whole-number' }
  | { readonly code: 'choice' }
  | { readonly code: 'control-characters' };

/** One field checked: its value for the request, or what is wrong with it. */
export type FieldResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: FieldProblem };

export type Checked<Body, Field extends string> =
  { readonly ok: true; readonly body: Body } | { readonly ok: false; readonly problems: Readonly<Partial<Record<Field, FieldProblem>>> };

const good = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const bad = (problem: FieldProblem): { readonly ok: false; readonly problem: FieldProblem } => ({ ok: false, problem });

/** Characters as the API's validators count them (validator's isLength: a surrogate pair or a variation selector is not a character of its own). */
const length = (text: string): number => text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]|\uFE0E|\uFE0F/g)?.length ?? 0);

/** A required text: trimmed, at least one character, at most `max`. */
export function requiredText(value: string, max: number): FieldResult<string> {
  const text = value.trim();
  if (text === '') return bad({ code: 'required' });
  return length(text) > max ? bad({ code: 'too-long', max }) : good(text);
}

/** An optional text: undefined when empty. */
export function optionalText(value: string, max: number): FieldResult<string | undefined> {
  const text = value.trim();
  if (text === '') return good(undefined);
  return length(text) > max ? bad({ code: 'too-long', max }) : good(text);
}

/** A whole number from 0 up (the DTO's IsInt and Min(0)). */
export function wholeNumber(value: string): FieldResult<number> {
  const text = value.trim();
  if (text === '') return bad({ code: 'required' });
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? good(n) : bad({ code: 'whole-number' });
}

/** A local date and time (datetime-local, the user's zone) as the UTC instant the API takes. */
export function instant(value: string): FieldResult<string> {
  if (value.trim() === '') return bad({ code: 'required' });
  const iso = fromLocalInput(value);
  return iso === undefined ? bad({ code: 'instant' }) : good(iso);
}

function problemsOf<Field extends string>(fields: Readonly<Record<Field, FieldResult<unknown>>>): Partial<Record<Field, FieldProblem>> {
  const problems: Partial<Record<Field, FieldProblem>> = {};
  for (const field of Object.keys(fields) as Field[]) {
    const result = fields[field];
    if (!result.ok) problems[field] = result.problem;
  }
  return problems;
}

// ---- Record an incident (POST /v1/incidents) ----

export interface IncidentDraft {
  readonly kind: string;
  readonly description: string;
  /** datetime-local, the user's zone */
  readonly awareAt: string;
  /** datetime-local, the user's zone; empty = not known */
  readonly occurredAt: string;
  /** comma-separated */
  readonly dataCategories: string;
  readonly affectedSubjectsEstimate: string;
  readonly likelyConsequences: string;
}

export const EMPTY_INCIDENT: IncidentDraft = {
  kind: '',
  description: '',
  awareAt: '',
  occurredAt: '',
  dataCategories: '',
  affectedSubjectsEstimate: '',
  likelyConsequences: '',
};

/** The request of POST /v1/incidents. */
export type NewIncident = components['schemas']['IncidentDto'];

export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Data categories: at most 50, each at most 200 characters. */
export function categories(text: string): FieldResult<string[]> {
  const items = splitList(text);
  if (items.length > 50) return bad({ code: 'too-many', max: 50 });
  return items.some((item) => length(item) > 200) ? bad({ code: 'too-long', max: 200 }) : good(items);
}

const isKind = (value: string): value is IncidentKind => (INCIDENT_KINDS as readonly string[]).includes(value);

function kindOf(value: string): FieldResult<IncidentKind> {
  if (value === '') return bad({ code: 'required' });
  return isKind(value) ? good(value) : bad({ code: 'choice' });
}

export function checkIncident(draft: IncidentDraft): Checked<NewIncident, keyof IncidentDraft> {
  const kind = kindOf(draft.kind);
  const description = requiredText(draft.description, 5000);
  const awareAt = instant(draft.awareAt);
  const occurredAt = draft.occurredAt.trim() === '' ? good(null) : instant(draft.occurredAt);
  const dataCategories = categories(draft.dataCategories);
  const affectedSubjectsEstimate = wholeNumber(draft.affectedSubjectsEstimate);
  const likelyConsequences = requiredText(draft.likelyConsequences, 5000);
  if (!kind.ok || !description.ok || !awareAt.ok || !occurredAt.ok || !dataCategories.ok || !affectedSubjectsEstimate.ok || !likelyConsequences.ok) {
    return {
      ok: false,
      problems: problemsOf({ kind, description, awareAt, occurredAt, dataCategories, affectedSubjectsEstimate, likelyConsequences }),
    };
  }
  return {
    ok: true,
    body: {
      kind: kind.value,
      description: description.value,
      awareAt: awareAt.value,
      occurredAt: occurredAt.value,
      dataCategories: dataCategories.value,
      affectedSubjectsEstimate: affectedSubjectsEstimate.value,
      likelyConsequences: likelyConsequences.value,
    },
  };
}

// ---- An update of an incident (POST /v1/incidents/{id}/updates) ----

export type UpdateType = IncidentUpdate['type'];
export const UPDATE_TYPES = ['authority-notified', 'subjects-notified', 'remedy', 'closed'] as const satisfies readonly UpdateType[];

export interface UpdateDraft {
  readonly type: UpdateType;
  /** datetime-local, the user's zone */
  readonly at: string;
  readonly authority: string;
  readonly reference: string;
  readonly delayReason: string;
  readonly channel: string;
  readonly count: string;
  readonly description: string;
  readonly summary: string;
}

export const emptyUpdate = (type: UpdateType, at: string): UpdateDraft => ({
  type,
  at,
  authority: '',
  reference: '',
  delayReason: '',
  channel: '',
  count: '',
  description: '',
  summary: '',
});

export type UpdateBody = components['schemas']['IncidentUpdateDto'];

/** The fields each kind of update needs (the API answers INCIDENT.UPDATE_INCOMPLETE without them). */
export function checkUpdate(draft: UpdateDraft): Checked<UpdateBody, keyof UpdateDraft> {
  const at = instant(draft.at);
  switch (draft.type) {
    case 'authority-notified': {
      const authority = requiredText(draft.authority, 200);
      const reference = requiredText(draft.reference, 200);
      const delayReason = optionalText(draft.delayReason, 2000);
      if (!at.ok || !authority.ok || !reference.ok || !delayReason.ok) return { ok: false, problems: problemsOf({ at, authority, reference, delayReason }) };
      return {
        ok: true,
        body: {
          type: draft.type,
          at: at.value,
          authority: authority.value,
          reference: reference.value,
          ...(delayReason.value !== undefined ? { delayReason: delayReason.value } : {}),
        },
      };
    }
    case 'subjects-notified': {
      const channel = requiredText(draft.channel, 100);
      const count = wholeNumber(draft.count);
      if (!at.ok || !channel.ok || !count.ok) return { ok: false, problems: problemsOf({ at, channel, count }) };
      return { ok: true, body: { type: draft.type, at: at.value, channel: channel.value, count: count.value } };
    }
    case 'remedy': {
      const description = requiredText(draft.description, 5000);
      if (!at.ok || !description.ok) return { ok: false, problems: problemsOf({ at, description }) };
      return { ok: true, body: { type: draft.type, at: at.value, description: description.value } };
    }
    case 'closed': {
      const summary = requiredText(draft.summary, 5000);
      if (!at.ok || !summary.ok) return { ok: false, problems: problemsOf({ at, summary }) };
      return { ok: true, body: { type: draft.type, at: at.value, summary: summary.value } };
    }
  }
}

/** The kinds of update that can still be recorded: each notification once, nothing after closing (the API refuses with 409). */
export function allowedUpdates(incident: {
  readonly closedAt: string | null;
  readonly authorityNotifiedAt: string | null;
  readonly subjectsNotifiedAt: string | null;
}): UpdateType[] {
  if (incident.closedAt !== null) return [];
  return UPDATE_TYPES.filter(
    (type) =>
      !(type === 'authority-notified' && incident.authorityNotifiedAt !== null) && !(type === 'subjects-notified' && incident.subjectsNotifiedAt !== null),
  );
}

// ---- Legal holds (POST /v1/processing-record/legal-holds) ----

// eslint-disable-next-line no-control-regex -- the API refuses control characters in a reason
const CONTROL = /[\u0000-\u001f]/u;

/** A hold's reason: 1 to 500 characters, no control characters (the API's pattern). */
export function checkHoldReason(reason: string): Checked<components['schemas']['LegalHoldRequestDto'], 'reason'> {
  if (CONTROL.test(reason)) return { ok: false, problems: { reason: { code: 'control-characters' } } };
  const text = requiredText(reason, 500);
  return text.ok ? { ok: true, body: { reason: text.value } } : { ok: false, problems: { reason: text.problem } };
}
