/** One `Idempotency-Key` of one tenant, and the request it was first used for. */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly key: string;
  /** Hash of method, route and body: the same key with another request is refused. */
  readonly fingerprint: string;
}

export type IdempotencyBegin =
  | { readonly state: 'new' }
  | { readonly state: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly state: 'in-progress' }
  | { readonly state: 'mismatch' };

/** Remembers command responses per tenant and `Idempotency-Key`. */
export interface IdempotencyStore {
  begin(scope: IdempotencyScope): Promise<IdempotencyBegin>;
  complete(scope: IdempotencyScope, status: number, body: unknown): Promise<void>;
  abandon(scope: IdempotencyScope): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol.for('attest.IdempotencyStore');
