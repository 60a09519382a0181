import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';

/** One component schema of the document. */
export type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The files whose exported types name what a route answers (`*.responses.ts`
 * of each context's api library). Their JSON Schemas become components of
 * docs/openapi.json; routes refer to them with `responseSchema('<type>')`.
 */
export const RESPONSE_TYPE_FILES = [
  'libs/processing/api/src/lib/processing.responses.ts',
  'libs/requests/api/src/lib/requests.responses.ts',
  'libs/consent/api/src/lib/consent.responses.ts',
  'libs/access/api/src/lib/access.responses.ts',
  'libs/messaging/api/src/lib/messaging.responses.ts',
] as const;

/** The generated schemas, committed next to this file (`npm run openapi` rewrites them). */
export const RESPONSE_SCHEMAS_FILE = join(__dirname, 'openapi-schemas', 'responses.json');

/** The committed schemas, by component name. */
export function committedResponseSchemas(): Record<string, SchemaObject> {
  return JSON.parse(readFileSync(RESPONSE_SCHEMAS_FILE, 'utf8')) as Record<string, SchemaObject>;
}

/**
 * Generates the schemas from the TypeScript types (ts-json-schema-generator,
 * a development tool: loaded only here, never by the running API).
 */
export async function generateResponseSchemas(): Promise<Record<string, SchemaObject>> {
  const { createGenerator } = await import('ts-json-schema-generator');
  const schemas: Record<string, SchemaObject> = {};
  for (const file of RESPONSE_TYPE_FILES) {
    const generator = createGenerator({
      path: join(ROOT, file),
      tsconfig: join(ROOT, 'tsconfig.json'),
      type: '*',
      expose: 'export',
      topRef: true,
      jsDoc: 'basic',
      skipTypeCheck: true,
      additionalProperties: false,
      sortProps: true,
    });
    const { definitions = {} } = generator.createSchema('*') as { definitions?: Record<string, unknown> };
    for (const [name, schema] of Object.entries(definitions)) {
      // Components live under #/components/schemas in OpenAPI; generic helper names are not wanted there.
      const cleaned = JSON.parse(JSON.stringify(schema).replace(/#\/definitions\//gu, '#/components/schemas/')) as SchemaObject;
      const existing = schemas[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(cleaned)) throw new Error(`two different response types are named ${name}`);
      schemas[name] = cleaned;
    }
  }
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
}
