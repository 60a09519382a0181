import { ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { getMetadataStorage, IsIn, IsOptional, Matches } from 'class-validator';
import { DEFAULT_DOCUMENT, DOCUMENT_LANGUAGES, isTimeZone, type DocumentLanguage, type DocumentOptions } from '@attest/kernel';
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
  memoizeValidationRules();
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', { errors: flatten(errors) }),
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

/** NUL (PostgreSQL refuses it in text and jsonb) or a lone UTF-16 surrogate (not encodable as UTF-8). */
// eslint-disable-next-line no-control-regex -- NUL is what is refused
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (value or key) that cannot be stored as text, or null. */
export function unstorableTextPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '(body)' : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (UNSTORABLE.test(key)) return here;
    const nested = unstorableTextPath(child, here);
    if (nested) return nested;
  }
  return null;
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A named path or query value (`@Param('index')`, `@Query('size')`) stays the text that was sent:
    // its own pipe (ParseSafeIntPipe, ParseUUIDPipe) reads it. The global conversion would turn
    // "1e2" or "0x10" into a number before any pipe could refuse it.
    if ((metadata.type === 'param' || metadata.type === 'query') && metadata.data !== undefined) return value;
    if (metadata.type === 'body') {
      const unstorable = unstorableTextPath(value);
      if (unstorable) {
        throw new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', {
          errors: [{ field: unstorable, code: 'invalidText', message: `${unstorable} holds a NUL character or a broken (unpaired) UTF-16 surrogate` }],
        });
      }
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

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type RuleLookup = MetadataStorage['getTargetValidationMetadatas'];
type Rules = ReturnType<RuleLookup>;
const memoized = new WeakSet<MetadataStorage>();

/**
 * class-validator finds a class's rules anew on every validation, walking
 * every class that has rules (74 here) to collect inherited ones, and the
 * pipe asks twice per body: measured as 3 % of the API's CPU on
 * bench:decisions. The rules only change when a class with rules is
 * declared, so they are kept per class and options until the next one is
 * (every `addValidationMetadata` empties the memo). The storage is
 * class-validator's global one; it is wrapped once.
 */
export function memoizeValidationRules(storage: MetadataStorage = getMetadataStorage()): void {
  if (memoized.has(storage)) return;
  memoized.add(storage);
  const lookup: RuleLookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  let rules = new Map<unknown, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, ReturnType<MetadataStorage['groupByPropertyName']>>();
  storage.addValidationMetadata = (metadata) => {
    add(metadata);
    rules = new Map();
    grouped = new WeakMap();
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const options = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let byOptions = rules.get(target);
    if (!byOptions) {
      byOptions = new Map();
      rules.set(target, byOptions);
    }
    let found = byOptions.get(options);
    if (!found) {
      found = lookup(target, schema, always, strictGroups, groups);
      byOptions.set(options, found);
    }
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) {
      found = group(metadata);
      grouped.set(metadata, found);
    }
    return found;
  };
}

/**
 * A whole number from a path or query parameter: digits only (a sign only
 * where negatives are allowed), a safe integer, within [min, max]. Anything
 * else is 400 VALIDATION.FAILED naming the parameter, never a database error
 * (a number past bigint's range) or a silently different number (past 2^53).
 */
export class ParseSafeIntPipe implements PipeTransform<string | undefined, number | undefined> {
  private readonly min: number;
  private readonly max: number;

  constructor(private readonly options: { readonly min?: number; readonly max?: number; readonly optional?: boolean } = {}) {
    this.min = options.min ?? 0;
    this.max = options.max ?? Number.MAX_SAFE_INTEGER;
  }

  transform(value: string | undefined, metadata: ArgumentMetadata): number | undefined {
    const field = metadata.data ?? 'value';
    const refuse = (code: string, message: string): never => {
      throw new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', { errors: [{ field, code, message }] });
    };
    if (value === undefined && this.options.optional) return undefined;
    if (value === undefined || !/^-?(0|[1-9][0-9]*)$/u.test(value)) return refuse('isInt', `${field} must be a whole number written in digits`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n > this.max) return refuse('max', `${field} must not be greater than ${String(this.max)}`);
    if (n < this.min) return refuse('min', `${field} must not be less than ${String(this.min)}`);
    return n;
  }

  /** The parameter's schema for the OpenAPI document (`@ApiQuery`/`@ApiParam`). */
  get schema(): { type: 'integer'; minimum: number; maximum: number } {
    return { type: 'integer', minimum: this.min, maximum: this.max };
  }
}

/** `?lang=&tz=` of a page written for people (the access export, the register). */
export class DocumentQueryDto {
  @ApiPropertyOptional({ enum: DOCUMENT_LANGUAGES, description: 'Language of the page (default en)' })
  @IsOptional()
  @IsIn(DOCUMENT_LANGUAGES)
  lang?: DocumentLanguage;
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'IANA time zone the dates are shown in (default UTC)' })
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/u)
  tz?: string;
}

/** The page options of a `DocumentQueryDto`; an unknown time zone is 400 VALIDATION.FAILED. */
export function documentOptions(query: DocumentQueryDto): DocumentOptions {
  const timeZone = query.tz ?? DEFAULT_DOCUMENT.timeZone;
  if (!isTimeZone(timeZone)) {
    throw new ProblemException(400, 'VALIDATION.FAILED', 'The request is not valid; see errors.', {
      errors: [{ field: 'tz', code: 'isTimeZone', message: 'tz must be an IANA time zone such as Asia/Shanghai' }],
    });
  }
  return { lang: query.lang ?? DEFAULT_DOCUMENT.lang, timeZone };
}

/**
 * A whole number in a query DTO (`limit`): only digits become a number; "1e2",
 * "0x10", "01" or " 5" stay text, and the field's `@IsInt()` refuses them
 * (class-transformer's `@Type(() => Number)` would accept them all).
 */
export const QueryWholeNumber = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^(0|[1-9][0-9]{0,15})$/u.test(value) ? Number(value) : value));
