import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'roles.0' }) field!: string;
  @ApiProperty({ example: 'isIn' }) code!: string;
  @ApiProperty() message!: string;
}

/** The error body of every failure (RFC 9457). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Forbidden' }) title!: string;
  @ApiProperty({ example: 403 }) status!: number;
  @ApiProperty({ example: 'AUTH.FORBIDDEN', description: 'Stable machine-readable code; branch on this.' }) code!: string;
  @ApiPropertyOptional() detail?: string;
  @ApiProperty({ description: 'Echo of X-Correlation-Id, or the id generated for this request.' }) correlationId!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid input (VALIDATION.FAILED with field errors, PURPOSE.REQUIRED, …); nothing was changed.',
  401: 'No or invalid credentials.',
  403: 'The credential lacks the permission of this route.',
  404: 'Not found in your tenant.',
  409: 'Conflict: concurrent change, or a state that forbids the action.',
  413: 'Body too large.',
  415: 'Body is not application/json.',
  422: 'Idempotency-Key reused for a different request.',
  429: 'Rate limit reached; see Retry-After.',
  500: 'Unexpected error; only a correlation id is returned.',
};

/** Documents the problem+json responses of a route. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto, FieldErrorDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}

/** The failures every authenticated route can give. */
export const ApiAuthenticatedProblems = (...more: number[]): MethodDecorator & ClassDecorator =>
  ApiProblems(401, 403, 429, 500, ...more);

/** The failures every public route (no credentials; rate limited per client) can give. */
export const ApiPublicProblems = (...more: number[]): MethodDecorator & ClassDecorator => ApiProblems(429, 500, ...more);
