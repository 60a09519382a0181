import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { OPENAPI_FILE } from '../openapi';

interface Documented {
  readonly responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** Candidates kept per answer for the description's examples (apps/api/src/openapi-examples.ts picks one). */
const CANDIDATES = 6;

const DOCUMENT_ID = 'attest:openapi';

/** The paths an OpenAPI path template matches (`/v1/x/{id}` matches `/v1/x/` and any one segment). */
export function templatePattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/[.]/gu, '\\.').replace(/\{[^}]+\}/gu, '[^/]+')}$`, 'u');
}

/**
 * Checks real answers against docs/openapi.json: every 2xx JSON body the
 * end-to-end specs receive must match the schema its operation documents, so
 * the description (and every client generated from it) is the contract.
 */
export class ResponseCheck {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: {
    readonly method: string;
    readonly pattern: RegExp;
    readonly params: number;
    readonly operation: Documented;
    readonly template: string;
  }[];
  private readonly compiled = new Map<string, ValidateFunction>();
  /**
   * Answers that matched their description, by `METHOD template status media-type`:
   * recorded only when `record` is on (`npm run openapi:examples`), as the examples the description shows.
   */
  readonly seen = new Map<string, unknown[]>();

  constructor(private readonly record = false) {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Documented>>; components: unknown };
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: doc.components });
    this.routes = Object.entries(doc.paths)
      .flatMap(([template, item]) =>
        Object.entries(item).map(([method, operation]) => ({
          method: method.toUpperCase(),
          template,
          operation,
          params: (template.match(/\{/gu) ?? []).length,
          pattern: templatePattern(template),
        })),
      )
      // A literal segment wins over a parameter (`/members/me` before `/members/{id}`).
      .sort((a, b) => a.params - b.params);
  }

  /** Null when the answer matches (or the operation documents no JSON schema for it), else what is wrong. */
  problem(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    if (status < 200 || status >= 300) return null;
    const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const path = url.split('?')[0] ?? url;
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) return null;
    const key = `${method} ${route.template} ${String(status)}`;
    const documented = route.operation.responses?.[String(status)];
    // A success the description does not name is drift too: a client generated from it would not expect it.
    if (media === 'application/json' && !documented) return `${key}: the operation answered ${String(status)}, which docs/openapi.json does not document`;
    const schema = documented?.content?.[media]?.schema;
    if (schema === undefined) return null;
    const mismatch = media === 'application/json' ? this.mismatch(key, schema, body) : null;
    if (mismatch === null && this.record) {
      const candidates = this.seen.get(`${key} ${media}`) ?? [];
      if (candidates.length < CANDIDATES) this.seen.set(`${key} ${media}`, [...candidates, body]);
    }
    return mismatch;
  }

  /** Null when `value` matches `schema` (a schema of the document), else what is wrong, prefixed by `key`. */
  mismatch(key: string, schema: unknown, value: unknown): string | null {
    let validate = this.compiled.get(key);
    if (!validate) {
      const rooted = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//gu, `"${DOCUMENT_ID}#/components/`)) as object;
      validate = this.ajv.compile(rooted);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return null;
    return `${key}: the answer does not match docs/openapi.json: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`;
  }
}
