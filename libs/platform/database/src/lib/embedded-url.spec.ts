import pg from 'pg';
import { createDataSource } from './data-source';
import { embeddedSocketDir, embeddedUrl } from './embedded-url';

/** Where the driver will connect for a URL. */
function target(url: string): { host: string; port: number; user: string | undefined; database: string | undefined } {
  const client = new pg.Client({ connectionString: url });
  return { host: client.host, port: client.port, user: client.user, database: client.database };
}

describe('embedded server URLs', () => {
  it('puts the socket in the cluster directory while its path fits a Unix-domain socket', () => {
    expect(embeddedSocketDir('/srv/attest/.data/postgres/cluster', 5432)).toBe('/srv/attest/.data/postgres/cluster');
    const deep = `/srv/${'d'.repeat(100)}/cluster`;
    expect(embeddedSocketDir(deep, 5432)).toBeNull();
  });

  it('names the socket directory as the host parameter and keeps port, user and database', () => {
    const url = embeddedUrl({ password: 'p@ss/word', port: 54321, socketDir: '/srv/attest data/cluster', database: 'attest' });
    expect(target(url)).toEqual({ host: '/srv/attest data/cluster', port: 54321, user: 'attest', database: 'attest' });
    expect(new URL(url).password).toBe(encodeURIComponent('p@ss/word'));
    expect(target(embeddedUrl({ password: 'x', port: 5432, socketDir: null, database: 'attest' }))).toMatchObject({ host: 'localhost', port: 5432 });
  });

  it('connects through TypeORM where the URL says: the socket when it names one, else TCP (real PostgreSQL)', async () => {
    const url = process.env['TEST_DATABASE_URL'];
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run tests through jest (test/jest.config.cjs)');
    const overSocket = target(url).host.startsWith('/');
    const dataSource = createDataSource({ url, migrations: [] });
    await dataSource.initialize();
    try {
      const [row] = await dataSource.query<[{ addr: string | null }]>(`SELECT host(inet_server_addr()) AS addr`);
      if (overSocket) expect(row.addr).toBeNull();
      else expect(row.addr).not.toBeNull();
    } finally {
      await dataSource.destroy();
    }
  });
});
