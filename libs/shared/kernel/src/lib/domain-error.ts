/** How a refusal should be understood by a caller; the HTTP layer maps it to a status. */
/** `unavailable`: the system could not finish now (a step that failed and can be run again), not a fault of the caller. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'rate_limited' | 'unavailable';

/** Machine-readable facts of a refusal (say, which checks blocked it); never personal data. */
export type DomainErrorDetails = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/**
 * A refusal by the domain, with a stable code such as `API_KEY.ALREADY_REVOKED`.
 * Messages and details never contain personal data.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'invalid',
    readonly details?: DomainErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
