import { readFileSync } from 'node:fs';
import { generateOpenApi, OPENAPI_FILE, serialise } from './openapi';

describe('OpenAPI', () => {
  it('docs/openapi.json is what the running app describes (run `npm run openapi` after changing routes)', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(serialise(await generateOpenApi())).toBe(committed);
  });

  it('documents every route with its error responses as problem+json', async () => {
    const doc = await generateOpenApi();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>).map(([method, op]) => ({
        path,
        method,
        op,
      })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(9);
    for (const { path, method, op } of operations) {
      // Public routes (registration, one-time codes, invitations) take no credentials: no 401/403.
      const expected = op.security ? ['401', '403', '429', '500'] : ['429', '500'];
      for (const status of expected) {
        expect({ route: `${method} ${path}`, status, problem: Boolean(op.responses[status]?.content?.['application/problem+json']) }).toEqual({
          route: `${method} ${path}`,
          status,
          problem: true,
        });
      }
    }
  });
});
