// RFC 9457 problem details, as every API error is answered (application/problem+json).
import type { components } from './schema';

export type FieldError = components['schemas']['FieldErrorDto'];

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  /** Stable machine-readable code (AUTH.FORBIDDEN, VALIDATION.FAILED, …); the console branches on it. */
  readonly code: string;
  readonly detail?: string;
  readonly correlationId?: string;
  readonly errors?: readonly FieldError[];
}

/** Codes the console gives itself when there is no problem document to show. */
export const CLIENT_CODES = { network: 'CLIENT.NETWORK', unexpected: 'CLIENT.UNEXPECTED' } as const;

/** An API call that was answered with an error (or not answered at all). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.title}`);
    this.name = 'ApiError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function fieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const errors = value.flatMap((e: unknown) => {
    if (!isRecord(e)) return [];
    const field = text(e['field']);
    const message = text(e['message']);
    return field !== undefined && message !== undefined ? [{ field, message, code: text(e['code']) ?? '' }] : [];
  });
  return errors.length > 0 ? errors : undefined;
}

/** The problem of an error response: its problem+json body when it has one, else one made from the status. */
export function toProblem(body: unknown, status: number, statusText = ''): Problem {
  const fallbackTitle = statusText !== '' ? statusText : `HTTP ${status}`;
  if (!isRecord(body)) {
    const detail = typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : undefined;
    return { type: 'about:blank', title: fallbackTitle, status, code: `HTTP.${status}`, ...(detail !== undefined ? { detail } : {}) };
  }
  const detail = text(body['detail']);
  const correlationId = text(body['correlationId']);
  const errors = fieldErrors(body['errors']);
  return {
    type: text(body['type']) ?? 'about:blank',
    title: text(body['title']) ?? fallbackTitle,
    status: typeof body['status'] === 'number' ? body['status'] : status,
    code: text(body['code']) ?? `HTTP.${status}`,
    ...(detail !== undefined ? { detail } : {}),
    ...(correlationId !== undefined ? { correlationId } : {}),
    ...(errors !== undefined ? { errors } : {}),
  };
}

/** Any error thrown while loading, as a problem to show. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  // fetch() rejects with a TypeError when the server cannot be reached.
  if (error instanceof TypeError) return { type: 'about:blank', title: 'Network error', status: 0, code: CLIENT_CODES.network, detail: error.message };
  const detail = error instanceof Error ? error.message : undefined;
  return { type: 'about:blank', title: 'Unexpected error', status: 0, code: CLIENT_CODES.unexpected, ...(detail !== undefined ? { detail } : {}) };
}

/** Retry server and network failures (twice), never a refusal: a 4xx will not change by asking again. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const { status } = problemOf(error);
  return failureCount < 2 && (status === 0 || status === 429 || status >= 500);
}
