import type { JsonObject, ProcessingKind } from '@attest/kernel';

/** Measures applied to every personal field at rest and in transit (EC 3.12.4). */
export const STANDARD_MEASURES: readonly string[] = ['per-subject-encryption', 'access-control', 'tls'];

/**
 * How one event type becomes a processing record. Subjects are taken from
 * `subject` (a data field holding the opaque subject id); the purpose from the
 * event's metadata unless `purposeField` names a data field.
 */
export interface ProcessingRule {
  readonly kind: ProcessingKind;
  readonly subject: string;
  /** Data categories processed; a function sees the event's data (decrypted, in memory). */
  readonly categories: readonly string[] | ((data: JsonObject) => readonly string[]);
  readonly method?: string;
  readonly legalBasis?: string;
  readonly purpose?: string;
  readonly purposeField?: string;
  readonly measures?: readonly string[];
}

export const NON_PROCESSING = 'non-processing';

/** Every event type of a context: how it is recorded, or that it processes no personal data. */
export type ProcessingMap = Readonly<Record<string, ProcessingRule | typeof NON_PROCESSING>>;
