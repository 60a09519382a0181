import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded Postgres and the Postgres event store', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: null,
      eventStore: 'postgres',
      kurrentdbUrl: null,
      host: '127.0.0.1',
      port: 3000,
      dataDir: '.data',
      embeddedPostgresPort: 54329,
      logLevel: 'info',
      pollIntervalMs: 1000,
      role: 'all',
      projections: true,
      projectionPartitions: {},
      jobs: true,
      messagingDispatch: true,
      decisionCache: { maxSubjects: 100_000, waitMs: 200 },
      accounts: { inactivityRestrictionDays: 90 },
      databaseAppUrl: null,
      databaseReplicaUrl: null,
      oidc: null,
      publicUrl: null,
      rateLimitPerMinute: 600,
      demo: true,
      masterKey: null,
      previousMasterKeys: [],
      erasureJournal: '.data/erasure-journal.log',
      webhook: null,
      tenantWebhooksAllowPrivate: false,
      publicFlowPerMinute: 20,
      holidays: [],
      processingRecord: { origin: 'attest.local/processing-record', signerKey: null, retentionYears: 3, checkpointIntervalSeconds: 60 },
    });
  });

  it('keeps processing records at least three years', () => {
    expect(loadConfig({ ATTEST_RECORD_RETENTION_YEARS: '5' }).processingRecord.retentionYears).toBe(5);
    expect(() => loadConfig({ ATTEST_RECORD_RETENTION_YEARS: '2' })).toThrow(/ATTEST_RECORD_RETENTION_YEARS/);
    expect(() => loadConfig({ ATTEST_RECORD_ORIGIN: 'a b' })).toThrow(/ATTEST_RECORD_ORIGIN/);
  });

  it('reads the notification webhook (with a long secret) and the holiday calendar', () => {
    const secret = 'x'.repeat(32);
    expect(
      loadConfig({ ATTEST_WEBHOOK_URL: 'https://hooks.example/attest', ATTEST_WEBHOOK_SECRET: secret, ATTEST_HOLIDAYS: '2026-10-01, 2026-10-02' }),
    ).toMatchObject({
      webhook: { url: 'https://hooks.example/attest', secret },
      holidays: ['2026-10-01', '2026-10-02'],
    });
    expect(() => loadConfig({ ATTEST_WEBHOOK_URL: 'https://hooks.example/attest', ATTEST_WEBHOOK_SECRET: 'short' })).toThrow(/ATTEST_WEBHOOK_SECRET/);
    expect(() => loadConfig({ ATTEST_HOLIDAYS: '1 Oct' })).toThrow(/ATTEST_HOLIDAYS/);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/attest',
      ATTEST_MASTER_KEY: 'k',
      EVENT_STORE: 'kurrentdb',
      KURRENTDB_URL: 'kurrentdb://kurrent:2113?tls=false',
      HOST: '0.0.0.0',
      PORT: '8080',
      LOG_LEVEL: 'warn',
      ATTEST_PROJECTIONS: 'off',
      ATTEST_JOBS: 'off',
    });
    expect(config).toMatchObject({ eventStore: 'kurrentdb', port: 8080, host: '0.0.0.0', logLevel: 'warn', projections: false, jobs: false });
  });

  it('reads the OIDC provider, all or nothing', () => {
    expect(loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'attest', OIDC_JWKS_URL: 'https://idp.example/jwks' }).oidc).toEqual({
      issuer: 'https://idp.example',
      audience: 'attest',
      jwksUrl: 'https://idp.example/jwks',
      tenantClaim: 'tenant_id',
      rolesClaim: 'roles',
      console: null,
    });
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow('OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL go together');
  });

  it('reads the console’s OIDC client (both or neither) and the public origin', () => {
    const provider = { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'attest', OIDC_JWKS_URL: 'https://idp.example/jwks' };
    expect(loadConfig({ ...provider, OIDC_CONSOLE_CLIENT_ID: 'console', OIDC_CONSOLE_CLIENT_SECRET: 's3cret' }).oidc?.console).toEqual({
      clientId: 'console',
      clientSecret: 's3cret',
    });
    expect(() => loadConfig({ ...provider, OIDC_CONSOLE_CLIENT_ID: 'console' })).toThrow('OIDC_CONSOLE_CLIENT_ID and OIDC_CONSOLE_CLIENT_SECRET go together');
    expect(loadConfig({ ATTEST_PUBLIC_URL: 'https://attest.example.com/' }).publicUrl).toBe('https://attest.example.com');
    expect(() => loadConfig({ ATTEST_PUBLIC_URL: 'https://attest.example.com/console' })).toThrow('ATTEST_PUBLIC_URL must be an origin');
  });

  it('ATTEST_ROLE selects what the process runs: api runs no background work, whatever the finer switches say', () => {
    const base = { ATTEST_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(loadConfig(base)).toMatchObject({ role: 'all', projections: true, jobs: true, messagingDispatch: true });
    expect(loadConfig({ ...base, ATTEST_ROLE: 'api', ATTEST_PROJECTIONS: 'on' })).toMatchObject({
      role: 'api',
      projections: false,
      jobs: false,
      messagingDispatch: false,
    });
    expect(loadConfig({ ...base, ATTEST_ROLE: 'worker', ATTEST_JOBS: 'off' })).toMatchObject({
      role: 'worker',
      projections: true,
      jobs: false,
      messagingDispatch: true,
    });
    expect(() => loadConfig({ ...base, ATTEST_ROLE: 'web' })).toThrow('ATTEST_ROLE must be one of api, worker, all');
  });

  it('ATTEST_PROJECTION_PARTITIONS names projections and their partitions (2–64)', () => {
    const base = { ATTEST_DATA_DIR: '/tmp/attest-config-spec' };
    expect(loadConfig({ ...base, ATTEST_PROJECTION_PARTITIONS: 'customers=4, requests=2' }).projectionPartitions).toEqual({ customers: 4, requests: 2 });
    expect(() => loadConfig({ ...base, ATTEST_PROJECTION_PARTITIONS: 'customers=1' })).toThrow(
      'ATTEST_PROJECTION_PARTITIONS: customers=1 is not <projection>=<2..64>',
    );
    expect(() => loadConfig({ ...base, ATTEST_PROJECTION_PARTITIONS: 'customers:4' })).toThrow('customers:4 is not');
  });

  it('DATABASE_REPLICA_URL is a postgres URL beside DATABASE_URL', () => {
    const base = { ATTEST_DATA_DIR: '/tmp/attest-config-spec', ATTEST_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(
      loadConfig({ ...base, DATABASE_URL: 'postgres://attest@primary/attest', DATABASE_REPLICA_URL: 'postgres://attest@replica/attest' }).databaseReplicaUrl,
    ).toBe('postgres://attest@replica/attest');
    expect(() => loadConfig({ ...base, DATABASE_REPLICA_URL: 'postgres://attest@replica/attest' })).toThrow('DATABASE_REPLICA_URL needs DATABASE_URL');
    expect(() => loadConfig({ ...base, DATABASE_URL: 'postgres://attest@primary/attest', DATABASE_REPLICA_URL: 'http://replica' })).toThrow(
      'DATABASE_REPLICA_URL must use postgres: or postgresql:',
    );
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', EVENT_STORE: 'kurrentdb', PORT: '99999', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'DATABASE_URL must use postgres: or postgresql:',
      'EVENT_STORE=kurrentdb needs KURRENTDB_URL',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'PORT must be an integer between 0 and 65535',
      'ATTEST_MASTER_KEY is required with DATABASE_URL (base64 of 32 random bytes)',
    ]);
  });

  it('a keyless tool (an auditor verifying with the verifier key) loads without the master key; everything else still needs it', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://auditor@db/attest' }, { keys: false }).databaseUrl).toBe('postgres://auditor@db/attest');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://auditor@db/attest' })).toThrow(ConfigError);
  });

  it('KURRENTDB_URL takes the client’s forms (seed lists and discovery are not URLs) and refuses other schemes', () => {
    for (const url of [
      'kurrentdb://a:2113,b:2113,c:2113?tls=false',
      'kurrentdb+discover://cluster.example:2113',
      'kdb://localhost:2113',
      'esdb://localhost:2113',
    ]) {
      expect(loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: url }).kurrentdbUrl).toBe(url);
    }
    expect(() => loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'http://localhost:2113' })).toThrow(
      /KURRENTDB_URL must be a KurrentDB connection string/u,
    );
  });
});
