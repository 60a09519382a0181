import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorDetails, type DomainErrorKind } from '@attest/kernel';
import { AuthenticationError } from '@attest/security';
import {
  EventStoreError,
  EventStoreOutcomeUnknownError,
  InvalidEventStoreRequestError,
  WrongExpectedRevisionError,
  DuplicateEventIdError,
} from '@attest/event-store';
import type { FieldError } from './problem';
import { ProblemException } from './problem';

/** RFC 9457 problem details with a stable `code`; never a stack trace. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly correlationId: string;
  readonly errors?: readonly FieldError[];
  /** Extension members of a domain refusal (RFC 9457 §3.2), such as `blockers`. */
  readonly [extension: string]: unknown;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const GENERIC_CODES: Readonly<Record<number, string>> = {
  400: 'HTTP.BAD_REQUEST',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'HTTP.NOT_FOUND',
  405: 'HTTP.METHOD_NOT_ALLOWED',
  409: 'HTTP.CONFLICT',
  413: 'HTTP.PAYLOAD_TOO_LARGE',
  415: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  429: 'HTTP.TOO_MANY_REQUESTS',
};

const KIND_STATUS: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
};

export interface Mapped {
  status: number;
  code: string;
  detail?: string;
  errors?: readonly FieldError[];
  retryAfterSeconds?: number;
  details?: DomainErrorDetails;
}

/** Errors raised by Fastify itself before a route runs (body parsing). */
function fastifyError(exception: unknown): Mapped | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const e = exception as { code?: unknown; statusCode?: unknown };
  if (typeof e.code !== 'string' || !e.code.startsWith('FST_')) return null;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'HTTP.PAYLOAD_TOO_LARGE', detail: 'The request body is too large.' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: 'HTTP.UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as application/json.' };
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (typeof e.statusCode === 'number' && e.statusCode === 400)) {
    return { status: 400, code: 'HTTP.MALFORMED_BODY', detail: 'The request body is not valid JSON.' };
  }
  return typeof e.statusCode === 'number' && e.statusCode < 500 ? { status: e.statusCode, code: GENERIC_CODES[e.statusCode] ?? 'HTTP.ERROR' } : null;
}

function map(exception: unknown): Mapped {
  if (exception instanceof ProblemException) {
    return { status: exception.getStatus(), code: exception.code, detail: exception.message, ...exception.extras };
  }
  if (exception instanceof AuthenticationError) return { status: 401, code: exception.code, detail: exception.message };
  if (exception instanceof DomainError) {
    const retry = exception.details?.['retryAfterSeconds'];
    return {
      status: KIND_STATUS[exception.kind],
      code: exception.code,
      detail: exception.message,
      ...(exception.details ? { details: exception.details } : {}),
      ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
    };
  }
  if (exception instanceof WrongExpectedRevisionError) {
    return { status: 409, code: exception.code, detail: 'The resource changed meanwhile; read it again and retry.' };
  }
  if (exception instanceof DuplicateEventIdError) return { status: 409, code: exception.code, detail: 'This command was already applied differently.' };
  if (exception instanceof InvalidEventStoreRequestError) return { status: 400, code: exception.code, detail: exception.message };
  if (exception instanceof EventStoreOutcomeUnknownError) {
    return {
      status: 503,
      code: exception.code,
      detail: 'The event store did not confirm the change in time: it may have been recorded. Read the resource again before retrying.',
    };
  }
  if (exception instanceof EventStoreError) return { status: 503, code: exception.code, detail: 'The event store is unavailable; retry later.' };
  if (exception instanceof Error && databaseUnavailable(exception)) {
    return {
      status: 503,
      code: 'DATABASE.UNAVAILABLE',
      detail: 'The database refused or lost a connection. A change asked for may have been recorded: read the resource again before retrying.',
      retryAfterSeconds: 1,
    };
  }
  // Nest wraps Fastify's own errors (body parsing) in an HttpException with the original as cause.
  const fst = fastifyError(exception) ?? (exception instanceof HttpException ? fastifyError(exception.cause) : null);
  if (fst) return fst;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      code: GENERIC_CODES[status] ?? (status >= 500 ? 'HTTP.INTERNAL' : 'HTTP.ERROR'),
      ...(status === 404 ? {} : { detail: exception.message }),
    };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'HTTP.INTERNAL' };
}

export interface ProblemLogger {
  error(obj: object, msg: string): void;
}

/**
 * For a database error, the SQLSTATE and the constraint or routine name:
 * schema facts an operator needs (deadlock, unique violation …), never values.
 */
function databaseFacts(error: Error): { sqlState?: string; constraint?: string } {
  const wrapped: unknown = (error as { driverError?: unknown }).driverError;
  const driver: unknown = wrapped ?? error;
  if (typeof driver !== 'object' || driver === null) return {};
  const { code, constraint } = driver as { code?: unknown; constraint?: unknown };
  return {
    ...(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? { sqlState: code } : {}),
    ...(typeof constraint === 'string' && /^[a-z0-9_]{1,63}$/.test(constraint) ? { constraint } : {}),
  };
}

/**
 * The database refused or lost the connection, rather than the statement: too many clients or
 * out of resources (SQLSTATE class 53), shutting down or starting (57P01–57P03), a connection
 * exception (class 08), or no server at the address. A retry may succeed; but a command may have
 * recorded its events before the failing step (an inline projection after the append), so the
 * answer never says that nothing was done.
 */
function databaseUnavailable(error: Error): boolean {
  const { sqlState } = databaseFacts(error);
  if (sqlState) return sqlState.startsWith('53') || sqlState.startsWith('08') || /^57P0[123]$/.test(sqlState);
  const code: unknown = (error as { code?: unknown }).code;
  return code === 'ECONNREFUSED';
}

/** Maps every error, including unknown routes and body-parsing errors, to application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: ProblemLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = map(exception);
    const internal = mapped.status >= 500 && mapped.code === 'HTTP.INTERNAL';
    if (mapped.status >= 500) {
      // Name and code only: messages of unexpected errors may carry data.
      this.logger.error(
        {
          correlationId: request.id,
          code: mapped.code,
          err: exception instanceof Error ? { name: exception.name, ...databaseFacts(exception) } : { name: typeof exception },
        },
        'request failed',
      );
    }
    sendProblem(request, reply, internal ? { status: mapped.status, code: mapped.code } : mapped);
  }
}

/**
 * Answers with application/problem+json: from the filter, and from hooks
 * that refuse a request before any route runs (a malformed URL).
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, mapped: Mapped): void {
  const problem: ProblemDetails = {
    ...(mapped.details ?? {}),
    type: 'about:blank',
    title: TITLES[mapped.status] ?? 'Error',
    status: mapped.status,
    code: mapped.code,
    ...(mapped.detail ? { detail: mapped.detail } : {}),
    ...(mapped.errors ? { errors: mapped.errors } : {}),
    correlationId: request.id,
  };
  if (mapped.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(mapped.retryAfterSeconds));
  void reply.status(mapped.status).type('application/problem+json').send(problem);
}
