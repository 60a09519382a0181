import { ApiHarness, type ApiResponse } from './testing/api-harness';

/** Saved console views (issue 23: "saved views per user"), kept on the server per tenant and person, through real HTTP on real Postgres. */
describe('saved console views (per person, on the server)', () => {
  const api = new ApiHarness();
  let alice: string;
  let bob: string;
  let other: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;
  type View = { name: string; page: string; search: Record<string, string>; updatedAt: string };

  beforeAll(async () => {
    await api.start('console_views');
    alice = await api.key('views-a', ['dsr-handler']);
    bob = await api.key('views-a', ['dsr-handler']);
    other = await api.key('views-b', ['dsr-handler']);
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  const save = (key: string, name: string, view: unknown): Promise<ApiResponse> =>
    api.call('PUT', `/v1/me/console-views/${encodeURIComponent(name)}`, { key, body: view });

  it('saves, lists by name, replaces and removes a person’s own views; nobody else sees them', async () => {
    expect((await save(alice, 'At risk, mine', { page: '/requests', search: { urgency: 'at-risk', mine: 'true' } })).status).toBe(200);
    expect((await save(alice, '逾期', { page: '/requests', search: { urgency: 'overdue' } })).status).toBe(200);
    expect((await save(alice, 'At risk, mine', { page: '/requests', search: { urgency: 'at-risk' } })).status).toBe(200);
    const mine = body<View[]>(await api.call('GET', '/v1/me/console-views', { key: alice }));
    expect(mine.map((v) => [v.name, v.page, v.search])).toEqual([
      ['At risk, mine', '/requests', { urgency: 'at-risk' }],
      ['逾期', '/requests', { urgency: 'overdue' }],
    ]);
    // Another person of the same tenant, and a person of another tenant, have none of them.
    expect(body<View[]>(await api.call('GET', '/v1/me/console-views', { key: bob }))).toEqual([]);
    expect(body<View[]>(await api.call('GET', '/v1/me/console-views', { key: other }))).toEqual([]);
    expect((await api.call('DELETE', `/v1/me/console-views/${encodeURIComponent('逾期')}`, { key: bob })).body).toMatchObject({
      status: 404,
      code: 'CONSOLE_VIEW.NOT_FOUND',
    });
    expect((await api.call('DELETE', `/v1/me/console-views/${encodeURIComponent('逾期')}`, { key: alice })).status).toBe(204);
    expect(body<View[]>(await api.call('GET', '/v1/me/console-views', { key: alice })).map((v) => v.name)).toEqual(['At risk, mine']);
  });

  it('refuses a bad name, page or filter with problem+json, and a 51st view', async () => {
    expect((await save(alice, ' leading space', { page: '/requests', search: {} })).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await save(alice, 'ok', { page: 'https://evil.example', search: {} })).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await save(alice, 'ok', { page: '/requests', search: { 'bad key': 'x' } })).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await save(alice, 'ok', { page: '/requests', search: { n: 1 } })).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    for (let i = 0; i < 49; i++) expect((await save(bob, `view ${String(i)}`, { page: '/records', search: {} })).status).toBe(200);
    expect((await save(bob, 'view 49', { page: '/records', search: {} })).status).toBe(200);
    expect((await save(bob, 'view 50', { page: '/records', search: {} })).body).toMatchObject({ status: 409, code: 'CONSOLE_VIEW.LIMIT_REACHED' });
    // Replacing one of the fifty is still allowed.
    expect((await save(bob, 'view 3', { page: '/requests', search: { type: 'deletion' } })).status).toBe(200);
  });
});
