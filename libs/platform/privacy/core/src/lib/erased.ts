/** What a personal field reads back as once its subject's key is destroyed. */
export const ERASED = Object.freeze({ $erased: true as const });
export type Erased = typeof ERASED;

export function isErased(value: unknown): value is Erased {
  return typeof value === 'object' && value !== null && (value as { $erased?: unknown }).$erased === true;
}

/** A personal field as stored: AES-256-GCM under the subject's data key. */
export interface EncryptedField {
  readonly $enc: 1;
  /** Id of the subject data key. */
  readonly kid: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

export function isEncryptedField(value: unknown): value is EncryptedField {
  const v = value as Partial<EncryptedField> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.$enc === 1 &&
    typeof v.kid === 'string' &&
    typeof v.iv === 'string' &&
    typeof v.ct === 'string' &&
    typeof v.tag === 'string'
  );
}
