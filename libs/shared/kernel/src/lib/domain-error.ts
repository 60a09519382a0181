/** How a refusal should be understood by a caller; the HTTP layer maps it to a status. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden';

/**
 * A refusal by the domain, with a stable code such as `API_KEY.ALREADY_REVOKED`.
 * Messages never contain personal data.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'invalid',
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
