/** Base of privacy errors; `code` is stable and messages never hold personal data. */
export abstract class PrivacyError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The subject was erased: its key is gone for good, and nothing new may be written for it. */
export class SubjectErasedError extends PrivacyError {
  readonly code = 'PRIVACY.SUBJECT_ERASED';
}

export class UndeclaredEventTypeError extends PrivacyError {
  readonly code = 'PRIVACY.UNDECLARED_EVENT_TYPE';
}

/**
 * A write carries a field its event type's table does not classify (personal,
 * sensitive or not personal): a renamed or new field would otherwise be kept
 * in plaintext. Nothing was written.
 */
export class UnclassifiedFieldError extends PrivacyError {
  readonly code = 'PRIVACY.UNCLASSIFIED_FIELD';
}

/** Personal data found where it may never be: stream id, event type or metadata. */
export class PersonalDataInEnvelopeError extends PrivacyError {
  readonly code = 'PRIVACY.PERSONAL_DATA_IN_ENVELOPE';
}

/** Ciphertext that does not authenticate: tampered, or moved to another event or field. */
export class DecryptionError extends PrivacyError {
  readonly code = 'PRIVACY.DECRYPTION_FAILED';
}

/** The configured master key cannot unwrap the stored data keys. */
export class MasterKeyError extends PrivacyError {
  readonly code = 'PRIVACY.MASTER_KEY';
}
