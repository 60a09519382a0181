import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@attest/observability';

/** RFC 9457 problem details with a stable `code`; never a stack trace. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId: string;
}

const CODES: Partial<Record<number, string>> = {
  400: 'HTTP.BAD_REQUEST',
  401: 'HTTP.UNAUTHORIZED',
  403: 'HTTP.FORBIDDEN',
  404: 'HTTP.NOT_FOUND',
  405: 'HTTP.METHOD_NOT_ALLOWED',
  409: 'HTTP.CONFLICT',
  413: 'HTTP.PAYLOAD_TOO_LARGE',
  415: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  429: 'HTTP.TOO_MANY_REQUESTS',
};

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Maps every error, including unknown routes, to application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const correlationId = request.id;
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    if (exception instanceof HttpException) status = exception.getStatus();
    else if (typeof (exception as { statusCode?: unknown }).statusCode === 'number') {
      // Errors raised by Fastify itself (body too large, bad content type).
      status = (exception as { statusCode: number }).statusCode;
    }
    const internal = status >= 500;
    if (internal) {
      this.logger.error(
        { correlationId, err: exception instanceof Error ? { name: exception.name } : undefined },
        'request failed',
      );
    }
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      code: CODES[status] ?? (internal ? 'HTTP.INTERNAL' : 'HTTP.ERROR'),
      ...(internal || status === 404 ? {} : { detail: exception instanceof Error ? exception.message : undefined }),
      correlationId,
    };
    void reply.status(status).type('application/problem+json').send(problem);
  }
}
