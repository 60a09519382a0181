import type { JsonObject, JsonValue } from '@attest/kernel';
import { UndeclaredEventTypeError } from './errors';

/** C2 categories of sensitive personal information (PIPL 28). */
export type SensitiveCategory =
  'biometric' | 'religious-belief' | 'specific-identity' | 'medical-health' | 'financial-account' | 'whereabouts' | 'minor-under-14';

/** What one field holds: personal data, sensitive personal data of a C2 category, or nothing personal. */
export type FieldClass = 'personal' | 'not-personal' | SensitiveCategory;

/** Every field of an event's data classified: a class for the field (and all under it), or its own fields' classes. */
export interface FieldTree {
  readonly [field: string]: FieldClass | FieldTree;
}

/**
 * The classes of every field of `D`, keyed on its fields, so renaming or
 * adding a field in the event type fails the type-check of its table. An
 * object field takes one class for all of it, or a class per field of it.
 */
export type FieldClasses<D> = {
  readonly [K in keyof D]-?:
    FieldClass | (NonNullable<D[K]> extends readonly unknown[] ? never : NonNullable<D[K]> extends object ? FieldClasses<NonNullable<D[K]>> : never);
};

/**
 * A context's classification table: one entry per event type of its union,
 * every field classified; `subject` names the field holding the data subject's
 * id where any field is personal.
 */
export type ClassificationTable<E extends { readonly type: string; readonly data: object }> = {
  readonly [T in E['type']]: {
    readonly subject?: keyof Extract<E, { type: T }>['data'] & string;
    readonly fields: FieldClasses<Extract<E, { type: T }>['data']>;
  };
};

/**
 * What an event type carries. `fields` classifies every field; `personal`
 * lists the dotted paths of personal fields (they are encrypted under the
 * subject's key); `sensitive` marks those of them in a C2 category; `subject`
 * names the field holding the data subject's id (an opaque id, itself never
 * personal data).
 */
export type EventClassification =
  | { readonly type: string; readonly personalData: false; readonly fields: FieldTree }
  | {
      readonly type: string;
      readonly personalData: true;
      readonly subject: string;
      readonly personal: readonly string[];
      readonly sensitive?: Readonly<Record<string, SensitiveCategory>>;
      readonly fields: FieldTree;
    };

/** The runtime declarations of a context's table (what `EventTypeRegistry` takes). */
export function classificationsOf<E extends { readonly type: string; readonly data: object }>(table: ClassificationTable<E>): EventClassification[] {
  return Object.entries<{ readonly subject?: string; readonly fields: FieldTree }>(table).map(([type, entry]) => {
    const personal: string[] = [];
    const sensitive: Record<string, SensitiveCategory> = {};
    const walk = (tree: FieldTree, prefix: string): void => {
      for (const [field, value] of Object.entries(tree)) {
        const path = prefix ? `${prefix}.${field}` : field;
        if (typeof value !== 'string') walk(value, path);
        else if (value !== 'not-personal') {
          personal.push(path);
          if (value !== 'personal') sensitive[path] = value;
        }
      }
    };
    walk(entry.fields, '');
    if (personal.length === 0) return { type, personalData: false, fields: entry.fields };
    if (!entry.subject) throw new Error(`${type}: personal fields without a subject field`);
    return { type, personalData: true, subject: entry.subject, personal, fields: entry.fields, ...(Object.keys(sensitive).length > 0 ? { sensitive } : {}) };
  });
}

/** The dotted paths in `data` that `fields` does not classify. */
export function unclassifiedPaths(fields: FieldTree, data: JsonObject, prefix = ''): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${field}` : field;
    const cls = fields[field];
    if (cls === undefined) out.push(path);
    else if (typeof cls !== 'string' && isObject(value)) out.push(...unclassifiedPaths(cls, value, path));
    else if (typeof cls !== 'string' && value !== null) out.push(path);
  }
  return out;
}

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The declarations of every event type that may be appended. */
export class EventTypeRegistry {
  private readonly byType = new Map<string, EventClassification>();

  constructor(declarations: readonly EventClassification[] = []) {
    for (const d of declarations) this.declare(d);
  }

  declare(declaration: EventClassification): void {
    if (this.byType.has(declaration.type)) throw new Error(`event type ${declaration.type} is declared twice`);
    if (declaration.personalData) {
      if (declaration.personal.length === 0) throw new Error(`${declaration.type}: personal data without personal fields`);
      if (declaration.personal.includes(declaration.subject)) throw new Error(`${declaration.type}: the subject id may not be a personal field`);
      for (const field of Object.keys(declaration.sensitive ?? {})) {
        if (!declaration.personal.includes(field)) throw new Error(`${declaration.type}: sensitive field ${field} is not declared personal`);
      }
    }
    this.byType.set(declaration.type, declaration);
  }

  /** The declaration of a type; throws for an undeclared one. */
  classify(type: string): EventClassification {
    const found = this.byType.get(type);
    if (!found) throw new UndeclaredEventTypeError(`event type ${type} has no personal-data declaration`);
    return found;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  /** The fields of `data` its type's declaration does not classify (a write carrying one is refused). */
  unclassified(type: string, data: JsonObject): string[] {
    return unclassifiedPaths(this.classify(type).fields, data);
  }

  /** The subject id of an event of a personal-data type. */
  subjectOf(classification: EventClassification, data: JsonObject): string | null {
    if (!classification.personalData) return null;
    const subject = data[classification.subject];
    return typeof subject === 'string' && subject.length > 0 ? subject : null;
  }
}
