import { HttpException } from '@nestjs/common';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `roles.0`. */
  readonly field: string;
  /** Stable machine code of the rule, e.g. `isIn`. */
  readonly code: string;
  readonly message: string;
}

/** An error that becomes an RFC 9457 problem with a stable `code`. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    detail: string,
    readonly extras: { errors?: readonly FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail, status);
  }
}
