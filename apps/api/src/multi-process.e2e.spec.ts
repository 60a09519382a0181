import { uuidv7 } from '@attest/kernel';
import { expectEventually } from '@attest/testing';
import { ApiHarness } from './testing/api-harness';
import { spawnApiProcess, type SpawnedApiProcess } from './testing/spawn-api-process';

const LIMIT = 40;

/**
 * Three real API processes on one database (issue 26, item 3): a credential's rate limit is
 * shared by all of them (`http.rate_windows`), and a key revoked through one is refused by the
 * others (their key caches are told by NOTIFY).
 */
describe('several API processes on one database', () => {
  const api = new ApiHarness();
  const others: SpawnedApiProcess[] = [];
  const tenant = `t-${uuidv7().slice(-8)}`;
  let admin: string;

  beforeAll(async () => {
    await api.start('multi_process', { rateLimitPerMinute: LIMIT });
    others.push(...(await Promise.all([1, 2].map(() => spawnApiProcess(api, { RATE_LIMIT_PER_MINUTE: String(LIMIT) })))));
    admin = await api.key(tenant, ['org-admin']);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(others.map((o) => o.stop()));
    await api.stop();
  });

  const me = async (base: string, key: string): Promise<Response> => fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });

  it('holds a credential to one rate limit across the processes, not one per process', async () => {
    const key = await api.key(tenant, ['service']);
    const bases = [api.base, ...others.map((o) => o.url)];
    const statuses: number[] = [];
    let refused: Response | null = null;
    // 3 × the limit, round robin, 25 ms apart: each process alone would admit all of them.
    for (let i = 0; i < 3 * LIMIT; i++) {
      const res = await me(bases[i % bases.length] ?? '', key);
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
      else await res.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    // The limit, give or take what the others admitted within a sync interval (250 ms: ~3 requests
    // each; more when a loaded machine delays a sync). Apart, the three would have admitted 120.
    expect(admitted).toBeGreaterThanOrEqual(LIMIT);
    expect(admitted).toBeLessThanOrEqual(LIMIT + 12);
    expect(refused?.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused?.json()).toMatchObject({ code: 'HTTP.TOO_MANY_REQUESTS' });
  });

  it('a key revoked through one process is refused by the others', async () => {
    const issued = await api.call('POST', '/v1/api-keys', { key: admin, body: { roles: ['service'], label: 'revoked across processes' } });
    expect(issued.status).toBe(201);
    const { key, keyId } = issued.body as { key: string; keyId: string };
    // Every process has the key in its cache.
    for (const o of others) expect((await me(o.url, key)).status).toBe(200);
    expect((await api.call('POST', `/v1/api-keys/${keyId}/revoke`, { key: admin, body: { reason: 'test' } })).status).toBe(200);
    await expectEventually(async () => {
      for (const o of others) expect((await me(o.url, key)).status).toBe(401);
    });
  });
});
