import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import type { FieldError } from './problem';
import { ProblemException } from './problem';

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    // Rule names and their messages only; the offending value is never echoed.
    const own = Object.entries(e.constraints ?? {}).map(([code, message]) => ({ code, field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * The edge validation: unknown properties are refused, values are transformed
 * to the DTO types, and failures become 400 problem+json with field errors.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', { errors: flatten(errors) }),
  });
}

/**
 * Keys that the whitelist cannot see as unknown because every object has them
 * (`valueOf`, `toString`, `__proto__` …); a body using them is refused.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

function reservedKeyPath(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (RESERVED_KEYS.has(key)) return here;
    const nested = reservedKeyPath(child, here);
    if (nested) return nested;
  }
  return null;
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const field = reservedKeyPath(value, '');
      if (field) {
        throw new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', {
          errors: [{ field, code: 'reservedKey', message: `property ${field} is not allowed` }],
        });
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}
