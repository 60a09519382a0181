import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@attest/database';
import { loadConfig } from '@attest/config';
import { PostgresRecordLog, testDraft } from '@attest/processing-infrastructure';
import { generateSignerKey, parseSignerKey } from '@attest/transparency';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { run } from './main';

describe('attest CLI', () => {
  let db: TestDatabase;
  let out: string[];
  let err: string[];
  const previous = process.env['DATABASE_URL'];
  const previousKey = process.env['ATTEST_MASTER_KEY'];

  beforeAll(async () => {
    db = await createTestDatabase('cli');
    process.env['DATABASE_URL'] = db.url;
    process.env['ATTEST_MASTER_KEY'] = randomBytes(32).toString('base64');
    process.env['ATTEST_RECORD_SIGNER_KEY'] = generateSignerKey('attest.test/processing-record');
  });

  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env['DATABASE_URL'];
    else process.env['DATABASE_URL'] = previous;
    if (previousKey === undefined) delete process.env['ATTEST_MASTER_KEY'];
    else process.env['ATTEST_MASTER_KEY'] = previousKey;
    await db.drop();
  });

  it('runs RFC 6962 vector folders and ends with the count line', async () => {
    expect(await run(['vectors', join(__dirname, '..', '..', '..', 'libs', 'platform', 'transparency', 'src', 'testdata', 'rfc6962')])).toBe(0);
    expect(out.join('').trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    out.length = 0;
    const broken = await mkdtemp(join(tmpdir(), 'vectors-'));
    await writeFile(
      join(broken, 'bad.json'),
      JSON.stringify({ leafIdx: 0, treeSize: 1, root: 'AAAA', leafHash: 'AAAA', proof: [], desc: 'x', wantErr: false }),
    );
    expect(await run(['vectors', broken])).toBe(1);
    expect(out.join('')).toContain('0 passed, 1 failed');
  });

  it('prints a new checkpoint signing key with its verifier key', async () => {
    expect(await run(['processing-record', 'keygen', '--name', 'attest.example/processing-record'])).toBe(0);
    expect(out.join('')).toMatch(/ATTEST_RECORD_SIGNER_KEY=PRIVATE\+KEY\+attest\.example\/processing-record\+[0-9a-f]{8}\+/);
  });

  it('refuses to work on an unmigrated database', async () => {
    expect(await run(['projections', 'list'])).toBe(2);
    expect(err.join('')).toContain('run `attest migrate` first');
  });

  it('migrates, then says the schema is up to date', async () => {
    expect(await run(['migrate'])).toBe(0);
    expect(out.join('')).toContain('EventStoreSchema1763769600000');
    out.length = 0;
    expect(await run(['migrate'])).toBe(0);
    expect(out.join('')).toBe('schema up to date\n');
  });

  it('verifies a tenant with a kept checkpoint saved as the compliance guide saves it (jq -r adds a newline); entries not yet signed are pending, not a failure', async () => {
    const ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    try {
      const log = new PostgresRecordLog(ds, null, {
        origin: loadConfig().processingRecord.origin,
        signer: parseSignerKey(process.env['ATTEST_RECORD_SIGNER_KEY'] ?? ''),
      });
      await log.appendNow([testDraft('cli-verify', 0), testDraft('cli-verify', 1)]);
      const kept = await log.checkpoint('cli-verify');
      await log.appendNow([testDraft('cli-verify', 2)]);
      const dir = await mkdtemp(join(tmpdir(), 'kept-'));
      // `curl … | jq -r .note > kept.note` writes the note and one more newline.
      await writeFile(join(dir, 'kept.note'), `${kept?.note ?? ''}\n`);
      expect(await run(['verify', '--tenant', 'cli-verify', '--checkpoint', join(dir, 'kept.note')])).toBe(0);
      expect(out.join('')).toMatch(/3 entries .*1 entries pending \(not yet covered by a signed checkpoint; the next one signs them\)\nverified: OK\n$/su);
      out.length = 0;
      // A log that has never been signed yet: pending, not FAILED.
      await log.appendNow([testDraft('cli-unsigned', 0)]);
      expect(await run(['verify', '--tenant', 'cli-unsigned'])).toBe(0);
      expect(out.join('')).toMatch(/1 entries pending .*verified: OK/su);
    } finally {
      await ds.destroy();
    }
  });

  it('lists and rebuilds projections; a projection run in partitions, with a row per partition', async () => {
    const ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    try {
      // As the workers leave them with ATTEST_PROJECTION_PARTITIONS=customers=2.
      await ds.query(`INSERT INTO projections.checkpoints (name, version) VALUES ('customers@1of2', 1), ('customers@2of2', 1) ON CONFLICT DO NOTHING`);
    } finally {
      await ds.destroy();
    }
    expect(await run(['projections', 'list'])).toBe(0);
    expect(out.join('')).toMatch(/event-log-stats\s+-\s+1\s+/);
    expect(out.join('')).toMatch(/customers\s+1of2\s+1\s+1\s+0\s+/);
    expect(out.join('')).toMatch(/customers\s+2of2\s+/);
    expect(await run(['projections', 'rebuild', 'event-log-stats'])).toBe(0);
    expect(out.join('')).toContain('rebuilt event-log-stats v1');
    // Several through one reader; all is every read model, never the processing record.
    expect(await run(['projections', 'rebuild', 'requests', 'accounts'])).toBe(0);
    expect(out.join('')).toMatch(/rebuilt requests v1: \d+ events in \d+ ms\nrebuilt accounts v1: /);
    expect(await run(['projections', 'rebuild', 'all'])).toBe(0);
    expect(out.join('')).toContain('rebuilt customers v1');
    expect(out.join('')).not.toContain('rebuilt processing-record');
  });

  it('shows the WhatsApp outboxes (none configured here) and refuses a malformed tenant', async () => {
    expect(await run(['whatsapp', 'outbox'])).toBe(0);
    expect(out.join('')).toMatch(/tenant\s+number \(binding\)\s+rate\/s\s+queued\s+due now\s+held\s+sending\s+in doubt\s+oldest queued\s+served/);
    expect(await run(['whatsapp', 'outbox', '--tenant', 'Not A Tenant'])).toBe(2);
  });

  it('lists the timed jobs, runs one as a dry run and for real, and shows the history', async () => {
    expect(await run(['jobs', 'list'])).toBe(0);
    expect(out.join('')).toMatch(/processing-record-purge\s+24 h/);
    out.length = 0;
    expect(await run(['jobs', 'run', 'request-deadlines', '--dry-run'])).toBe(0);
    expect(out.join('')).toContain('request-deadlines (dry run): succeeded {"due":0}');
    out.length = 0;
    expect(await run(['jobs', 'run', 'retained-data-expiry'])).toBe(0);
    expect(out.join('')).toContain('retained-data-expiry: succeeded {"expired":0}');
    out.length = 0;
    expect(await run(['jobs', 'history'])).toBe(0);
    expect(out.join('')).toMatch(/retained-data-expiry\s+succeeded/);
    expect(await run(['jobs', 'run', 'nope'])).not.toBe(0);
  });

  it('creates, lists and revokes API keys; the key is printed once and works against the API store', async () => {
    expect(await run(['keys', 'create', '--tenant', 'acme', '--roles', 'service,dsr-handler', '--label', 'crm sync'])).toBe(0);
    const printed = out.join('');
    const key = /(atk_[a-z0-9]{12}_[A-Za-z0-9_-]{43})/.exec(printed)?.[1];
    const keyId = /key id ([0-9a-f-]{36})/.exec(printed)?.[1];
    expect(key).toBeDefined();
    out.length = 0;
    expect(await run(['keys', 'list', '--tenant', 'acme'])).toBe(0);
    const listing = out.join('');
    expect(listing).toContain(keyId);
    expect(listing).toContain('service,dsr-handler');
    expect(listing).not.toContain(key);
    expect(await run(['keys', 'list', '--tenant', 'other'])).toBe(0);
    expect(await run(['keys', 'revoke', keyId ?? '', '--tenant', 'other', '--reason', 'x'])).toBe(2);
    expect(err.join('')).toContain('API_KEY.NOT_FOUND');
    expect(await run(['keys', 'revoke', keyId ?? '', '--tenant', 'acme', '--reason', 'rotated'])).toBe(0);
    expect(await run(['keys', 'create', '--tenant', 'Acme Inc', '--roles', 'service'])).toBe(2);
    expect(await run(['keys', 'create', '--tenant', 'acme', '--roles', 'root'])).toBe(2);
  });

  it('makes a single-use console sign-in link for a tenant and roles; only its hash is kept', async () => {
    process.env['ATTEST_PUBLIC_URL'] = 'https://attest.example.com';
    try {
      expect(await run(['console-link', '--tenant', 'acme', '--roles', 'compliance-officer,dsr-handler'])).toBe(0);
    } finally {
      delete process.env['ATTEST_PUBLIC_URL'];
    }
    const printed = out.join('');
    expect(printed).toContain('roles compliance-officer, dsr-handler');
    const token = /^https:\/\/attest\.example\.com\/console\/auth\/link\?token=(acl_[A-Za-z0-9_-]{43})$/m.exec(printed)?.[1];
    expect(token).toBeDefined();
    const ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    try {
      const rows = await ds.query<{ link_hash: string; roles: string[]; expires_at: Date; issued_at: Date }[]>(
        `SELECT link_hash, roles, expires_at, issued_at FROM access.console_links WHERE tenant_id = 'acme'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.roles).toEqual(['compliance-officer', 'dsr-handler']);
      expect(rows[0]?.link_hash).not.toContain(token);
      expect((rows[0]?.expires_at.getTime() ?? 0) - (rows[0]?.issued_at.getTime() ?? 0)).toBe(10 * 60_000);
    } finally {
      await ds.destroy();
    }
    expect(await run(['console-link', '--tenant', 'acme', '--roles', 'root'])).toBe(2);
    expect(await run(['console-link', '--roles', 'dsr-handler'])).toBe(2);
  });

  it('rotates the master key: old one as ATTEST_MASTER_KEY_PREVIOUS, new one current', async () => {
    const old = process.env['ATTEST_MASTER_KEY'] ?? '';
    process.env['ATTEST_MASTER_KEY_PREVIOUS'] = old;
    process.env['ATTEST_MASTER_KEY'] = randomBytes(32).toString('base64');
    try {
      expect(await run(['migrate'])).toBe(0); // verifies both keys
      expect(await run(['keys', 'rotate-master'])).toBe(0);
      expect(out.join('')).toMatch(/re-wrapped \d+ data keys/);
    } finally {
      delete process.env['ATTEST_MASTER_KEY_PREVIOUS'];
    }
    expect(await run(['migrate'])).toBe(0); // the new key alone now
    process.env['ATTEST_MASTER_KEY'] = old;
    expect(await run(['migrate'])).toBe(1); // the old key is refused with a clear error
    expect(err.join('')).toContain('MasterKeyError');
  });

  it('rejects unknown projections and commands with exit code 2', async () => {
    expect(await run(['projections', 'rebuild', 'nope'])).toBe(2);
    expect(err.join('')).toContain('no projection named "nope"');
    expect(await run(['projections', 'rebuild', 'processing-record'])).toBe(2);
    expect(err.join('')).toContain('"processing-record" is append-only: it is never rebuilt');
    expect(await run(['projections', 'rebuild'])).toBe(2);
    expect(await run(['frobnicate'])).toBe(2);
    expect(await run([])).toBe(2);
    expect(await run(['help'])).toBe(0);
  });

  it('answers an unknown option, a missing value and a bad value with one clear line and exit 2', async () => {
    expect(await run(['jobs', 'run', 'inactivity-restriction', '--dryrun'])).toBe(2);
    expect(err.join('')).toMatch(/^attest: Unknown option '--dryrun' \(did you mean --dry-run\?\)\n/u);
    err.length = 0;
    expect(await run(['verify', '--tenant'])).toBe(2);
    expect(err.join('')).toMatch(/^attest: Option '--tenant <value>' argument missing/u);
    err.length = 0;
    expect(await run(['jobs', 'history', '--limit', 'abc'])).toBe(2);
    expect(err.join('')).toBe('attest: --limit must be a whole number from 1 to 1000\n');
    err.length = 0;
    const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
    await writeFile(join(dir, 'broken.json'), '{"format": "attest-processing-record-bundle/v1", ');
    expect(await run(['verify', '--bundle', join(dir, 'broken.json')])).toBe(2);
    expect(err.join('')).toMatch(/^attest: \S+broken\.json is not JSON: it is not an export bundle/u);
    expect(err.join('').split('\n').filter(Boolean)).toHaveLength(1);
    err.length = 0;
    await writeFile(
      join(dir, 'damaged.json'),
      JSON.stringify({
        format: 'attest-processing-record-bundle/v1',
        tenantId: 't',
        origin: 'o',
        verifierKey: 'k',
        complete: true,
        checkpoints: [],
        entries: [{ index: 'zero' }],
        consistency: [],
      }),
    );
    expect(await run(['verify', '--bundle', join(dir, 'damaged.json')])).toBe(2);
    expect(err.join('')).toMatch(/damaged\.json is a damaged bundle/u);
    err.length = 0;
    await writeFile(
      join(dir, 'proof.json'),
      JSON.stringify({
        format: 'attest-processing-record-bundle/v1',
        tenantId: 't',
        origin: 'o',
        verifierKey: 'k',
        complete: false,
        checkpoints: [],
        entries: [],
        consistency: [{ from: 1, to: 2, proof: [1] }],
      }),
    );
    expect(await run(['verify', '--bundle', join(dir, 'proof.json')])).toBe(2);
    expect(err.join('')).toMatch(/proof\.json is a damaged bundle/u);
    err.length = 0;
    expect(await run(['verify', '--bundle', join(dir, 'missing.json')])).toBe(2);
    expect(err.join('')).toMatch(/cannot read \S+missing\.json: no such file/u);
  });

  it('is installed as `attest` by npm ci', () => {
    const bin = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'attest');
    const result = spawnSync(bin, ['help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('attest projections rebuild <name>');
  });
});
