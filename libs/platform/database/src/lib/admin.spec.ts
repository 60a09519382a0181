import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureClusterRoleSql, ensureDatabase, withDatabase } from './admin';

function adminUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run tests through jest (test/jest.config.cjs)');
  return url;
}

describe('ensureClusterRoleSql (real PostgreSQL)', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `attest_race_${suffix}`;
  const databases = [`t_role_a_${suffix}`, `t_role_b_${suffix}`];
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    for (const name of databases) {
      await ensureDatabase(adminUrl(), name);
      const client = new pg.Client({ connectionString: withDatabase(adminUrl(), name) });
      await client.connect();
      clients.push(client);
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    for (const name of databases) await dropDatabase(adminUrl(), name);
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('lets migrations of two databases create the same role at once: the one that waits on the other does not fail', async () => {
    const [first, second] = clients as [pg.Client, pg.Client];
    await first.query('BEGIN');
    await second.query('BEGIN');
    await first.query(ensureClusterRoleSql(role, 'NOLOGIN NOSUPERUSER'));
    // The second sees no committed role, so it tries to create it and blocks on the first's uncommitted row.
    const racing = second.query(ensureClusterRoleSql(role, 'NOLOGIN NOSUPERUSER'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.query('COMMIT');
    await expect(racing).resolves.toBeDefined();
    await second.query('COMMIT');

    const membership = await second.query<{ member: boolean }>(`SELECT pg_has_role(current_user, $1, 'MEMBER') AS member`, [role]);
    expect(membership.rows[0]?.member).toBe(true);
    const roles = await second.query<{ count: string }>('SELECT count(*) AS count FROM pg_roles WHERE rolname = $1', [role]);
    expect(roles.rows[0]?.count).toBe('1');
  });

  it('runs again on a database where the role exists', async () => {
    const [first] = clients as [pg.Client];
    await expect(first.query(ensureClusterRoleSql(role, 'NOLOGIN NOSUPERUSER'))).resolves.toBeDefined();
  });

  it('refuses names and attributes that are not plain identifiers and keywords', () => {
    expect(() => ensureClusterRoleSql('x; DROP ROLE y', 'NOLOGIN')).toThrow();
    expect(() => ensureClusterRoleSql('attest_x', "PASSWORD 'p'")).toThrow();
  });
});
