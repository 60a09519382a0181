import pg from 'pg';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Replaces the database of a connection URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function withAdminClient(adminUrl: string, name: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  if (!NAME.test(name)) throw new Error('database names are lowercase identifiers');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a database unless it exists; `adminUrl` points at any database of the server. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, name, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount !== 0) return;
    await client.query(`CREATE DATABASE ${name}`).catch((error: unknown) => {
      // Two processes may race to create it; the loser is fine.
      if ((error as { code?: string }).code !== '42P04') throw error;
    });
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, name, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/**
 * SQL that creates a cluster-wide role unless it exists and grants it to the
 * current user. Roles belong to the cluster, not to a database, so migrations
 * of two databases on one server may race here (advisory locks are per
 * database and cannot serialise them): the loser of `CREATE ROLE` or of the
 * membership insert gets a unique or duplicate-object violation, which the
 * block absorbs in its own subtransaction.
 */
export function ensureClusterRoleSql(role: string, attributes: string): string {
  if (!NAME.test(role)) throw new Error('role names are lowercase identifiers');
  if (!/^[A-Z ]+$/.test(attributes)) throw new Error('role attributes are upper-case keywords');
  return `
    DO $$ BEGIN
      BEGIN
        CREATE ROLE ${role} ${attributes};
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
      BEGIN
        GRANT ${role} TO CURRENT_USER;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
    END $$`;
}
