import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { OPENAPI_FILE } from '../openapi';

interface Documented {
  readonly responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const DOCUMENT_ID = 'attest:openapi';

/**
 * Checks real answers against docs/openapi.json: every 2xx JSON body the
 * end-to-end specs receive must match the schema its operation documents, so
 * the description (and every client generated from it) is the contract.
 */
export class ResponseCheck {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: { readonly method: string; readonly pattern: RegExp; readonly params: number; readonly operation: Documented; readonly template: string }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Documented>>; components: unknown };
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: doc.components });
    this.routes = Object.entries(doc.paths)
      .flatMap(([template, item]) =>
        Object.entries(item).map(([method, operation]) => ({
          method: method.toUpperCase(),
          template,
          operation,
          params: (template.match(/\{/gu) ?? []).length,
          pattern: new RegExp(`^${template.replace(/[.]/gu, '\\.').replace(/\{[^}]+\}/gu, '[^/]+')}$`, 'u'),
        })),
      )
      // A literal segment wins over a parameter (`/members/me` before `/members/{id}`).
      .sort((a, b) => a.params - b.params);
  }

  /** Null when the answer matches (or the operation documents no JSON schema for it), else what is wrong. */
  problem(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    if (status < 200 || status >= 300 || !(contentType ?? '').startsWith('application/json')) return null;
    const path = url.split('?')[0] ?? url;
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) return null;
    const key = `${method} ${route.template} ${String(status)}`;
    const documented = route.operation.responses?.[String(status)];
    // A success the description does not name is drift too: a client generated from it would not expect it.
    if (!documented) return `${key}: the operation answered ${String(status)}, which docs/openapi.json does not document`;
    const schema = documented.content?.['application/json']?.schema;
    if (schema === undefined) return null;
    let validate = this.compiled.get(key);
    if (!validate) {
      const rooted = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//gu, `"${DOCUMENT_ID}#/components/`)) as object;
      validate = this.ajv.compile(rooted);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return null;
    return `${key}: the answer does not match docs/openapi.json: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`;
  }
}
