import type { JsonObject } from '@attest/kernel';
import { UndeclaredEventTypeError } from './errors';

/** C2 categories of sensitive personal information (PIPL 28). */
export type SensitiveCategory = 'biometric' | 'religious-belief' | 'specific-identity' | 'medical-health' | 'financial-account' | 'whereabouts' | 'minor-under-14';

/**
 * What an event type carries. `personal` lists the dotted paths of personal
 * fields (they are encrypted under the subject's key); `sensitive` marks those
 * of them in a C2 category; `subject` names the field holding the data
 * subject's id (an opaque id, itself never personal data).
 */
export type EventClassification =
  | { readonly type: string; readonly personalData: false }
  | {
      readonly type: string;
      readonly personalData: true;
      readonly subject: string;
      readonly personal: readonly string[];
      readonly sensitive?: Readonly<Record<string, SensitiveCategory>>;
    };

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

  /** The subject id of an event of a personal-data type. */
  subjectOf(classification: EventClassification, data: JsonObject): string | null {
    if (!classification.personalData) return null;
    const subject = data[classification.subject];
    return typeof subject === 'string' && subject.length > 0 ? subject : null;
  }
}
