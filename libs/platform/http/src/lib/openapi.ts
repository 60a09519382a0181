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
export const ApiAuthenticatedProblems = (...more: number[]): MethodDecorator & ClassDecorator => ApiProblems(401, 403, 429, 500, ...more);

/** The failures every public route (no credentials; rate limited per client) can give. */
export const ApiPublicProblems = (...more: number[]): MethodDecorator & ClassDecorator => ApiProblems(429, 500, ...more);

/** A component schema generated from a context's `*.responses.ts` types (apps/api/src/response-schemas.ts). */
const component = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/**
 * Documents a success answer as a named response type: `list` for an array of
 * it. The type's JSON Schema is generated from TypeScript, so a generated
 * client is typed where the route is.
 */
export function ApiAnswer(status: 200 | 201, type: string, description: string, options: { readonly list?: boolean } = {}): MethodDecorator {
  return ApiResponse({ status, description, schema: options.list ? { type: 'array', items: component(type) } : component(type) });
}

/** Documents a success answer that is a document of another media type (CSV, HTML, plain text). */
export function ApiDocumentAnswer(mediaType: 'text/csv' | 'text/html' | 'text/plain', description: string): MethodDecorator {
  return ApiResponse({ status: 200, description, content: { [mediaType]: { schema: { type: 'string' } } } });
}
