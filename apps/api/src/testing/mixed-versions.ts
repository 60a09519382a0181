import { loadConfig } from '@attest/config';
import type { EncryptedField } from '@attest/privacy';
import { fieldCipher } from '@attest/privacy-postgres';
import { ProjectionRunner } from '@attest/projections';
import { createLogger } from '@attest/observability';
import { migrationsFor, startInfrastructure, type Infrastructure } from '@attest/runtime';
import { createTestDatabase } from '@attest/testing';
import { generateSignerKey } from '@attest/transparency';
import { Writable } from 'node:stream';
import { snapshot } from './delivered-twice';

type Row = Record<string, unknown>;

/** The raw rows of a table, as jsonb (bytea and xid8 round-trip through `jsonb_populate_recordset`). */
async function rows(infra: Infrastructure, table: string): Promise<Row[]> {
  const out = await infra.dataSource.query<{ row: Row }[]>(`SELECT to_jsonb(t) AS row FROM ${table} t`);
  return out.map((r) => r.row);
}

/**
 * `ConsentGranted.v2` stored as the superseded `.v1` would have stored it: the
 * guardian's name and relationship sealed together as one field, under the
 * same subject key, bound to the same event id.
 */
async function asV1(source: Infrastructure, row: Row): Promise<Row> {
  const data = row['data'] as Row;
  const { guardianName, guardianRelationship, ...rest } = data;
  let guardian: EncryptedField | null = null;
  if (guardianName !== null) {
    const key = await source.vault.keyForReading(String(data['customerId']));
    if (!key) throw new Error('the subject of a grant to rewrite is erased');
    const name = fieldCipher.decrypt(key.key, String(row['event_id']), 'guardianName', guardianName as EncryptedField);
    guardian = fieldCipher.encrypt(key.key, key.kid, String(row['event_id']), 'guardian', { name, relationship: guardianRelationship as string });
  }
  return { ...row, type: 'ConsentGranted.v1', data: { ...rest, guardian } };
}

/** Every `$enc` value as its key id only: two seals of one value differ by their random IVs. */
function withoutIvs(text: string): string {
  return JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { $enc?: unknown }).$enc === 1) return `<sealed under ${String((v as { kid: unknown }).kid)}>`;
    return v;
  });
}

/** Columns filled at insert by the wall clock or a fresh id, not derived from any event. */
const NOT_FROM_EVENTS: Readonly<Record<string, readonly string[]>> = {
  'processing.records': ['recorded_at'],
  'processing.logs': ['created_at'],
  'processing.checkpoints': ['created_at', 'note', 'checkpoint_id'],
  'notifications.outbox': ['id'],
};

/**
 * One read-model row, comparable across two builds. An erased subject gets a
 * fresh random pseudonym in every processing record (by design: nothing links
 * to it); those are masked, and the Merkle tree over them (leaf hashes, nodes,
 * roots) is left out — it is a function of the bodies, which are compared.
 */
function comparable(table: string, line: string, pseudonyms: ReadonlySet<string>): string {
  const skip = NOT_FROM_EVENTS[table] ?? [];
  const row = Object.fromEntries(Object.entries(JSON.parse(withoutIvs(line)) as Row).filter(([column]) => !skip.includes(column)));
  if (table === 'processing.records') {
    delete row['leaf_hash'];
    const subject = row['subject'];
    if (typeof subject === 'string' && !pseudonyms.has(subject)) {
      row['subject'] = '<an erased subject>';
      row['body'] = String(row['body']).replace(subject, '<an erased subject>');
    }
  }
  if (table === 'processing.nodes') delete row['hash'];
  if (table === 'processing.checkpoints') delete row['root'];
  return JSON.stringify(row);
}

/**
 * A copy of `source`'s log in a fresh database, byte for byte (same positions,
 * times and key vault), with `rewrite` applied to each stored row; then every
 * projection built from it from the start. Returns every read-model row.
 */
export async function readModelsFromCopiedLog(
  source: Infrastructure,
  masterKey: string,
  label: string,
  rewrite: (row: Row) => Promise<Row> | Row,
): Promise<Record<string, string[]>> {
  const db = await createTestDatabase(label, { migrations: migrationsFor('postgres') });
  const quiet = createLogger(
    { level: 'warn', name: 'mixed-versions' },
    new Writable({
      write: (_c, _e, done) => {
        done();
      },
    }),
  );
  const infra = await startInfrastructure(
    loadConfig({
      DATABASE_URL: db.url,
      ATTEST_MASTER_KEY: masterKey,
      ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
      EVENT_STORE_POLL_INTERVAL_MS: '50',
    }),
    quiet,
  );
  try {
    const tables = await source.dataSource.query<{ name: string }[]>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_schema = 'key_vault' AND table_type = 'BASE TABLE'`,
    );
    for (const { name } of tables) {
      await infra.dataSource.query(`INSERT INTO ${name} SELECT * FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb) ON CONFLICT DO NOTHING`, [
        JSON.stringify(await rows(source, name)),
      ]);
    }
    const [settings] = await rows(source, 'event_store.settings');
    await infra.dataSource.query(`UPDATE event_store.settings SET epoch = $1`, [settings?.['epoch']]);
    const events: Row[] = [];
    for (const row of await rows(source, 'event_store.events')) events.push(await rewrite(row));
    await infra.dataSource.query(
      `INSERT INTO event_store.events OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::event_store.events, $1::jsonb)`,
      [JSON.stringify(events)],
    );
    await infra.migrate();
    for (const projection of infra.projections) await new ProjectionRunner({ dataSource: infra.dataSource, store: infra.store, projection }).catchUp();
    await infra.recordLog.drain();
    // The pseudonyms a subject with a key has (HMACs under its key): every other one is an erased subject's random one.
    const pseudonyms = new Set<string>();
    const subjects = await infra.dataSource.query<{ subject_id: string }[]>(`SELECT subject_id FROM key_vault.subject_keys`);
    const tenants = await infra.dataSource.query<{ tenant_id: string }[]>(`SELECT tenant_id FROM processing.logs`);
    for (const { tenant_id } of tenants) {
      for (const { subject_id } of subjects) {
        const pseudonym = await infra.privacy.pseudonymForSearch(tenant_id, subject_id);
        if (pseudonym) pseudonyms.add(pseudonym);
      }
    }
    const out: Record<string, string[]> = {};
    for (const [table, lines] of Object.entries(await snapshot(infra))) out[table] = lines.map((line) => comparable(table, line, pseudonyms)).sort();
    return out;
  } finally {
    await infra.stop();
    await db.drop();
  }
}

/** Rewrites every `ConsentGranted.v2` given by a guardian, and every other one not, as `.v1`, so the copy holds both versions; counts what it rewrote. */
export function everyOtherGrantAsV1(source: Infrastructure): {
  rewrite: (row: Row) => Promise<Row> | Row;
  rewritten: () => { all: number; withGuardian: number };
} {
  let seen = 0;
  let all = 0;
  let withGuardian = 0;
  return {
    rewrite: (row) => {
      if (row['type'] !== 'ConsentGranted.v2') return row;
      const byGuardian = (row['data'] as Row)['guardianName'] !== null;
      if (!byGuardian && seen++ % 2 === 1) return row;
      all++;
      if (byGuardian) withGuardian++;
      return asV1(source, row);
    },
    rewritten: () => ({ all, withGuardian }),
  };
}

/** The rows only one of two builds holds, by table (empty when they are equal). */
export function differences(
  expected: Record<string, string[]>,
  actual: Record<string, string[]>,
): Record<string, { readonly missing: string[]; readonly unexpected: string[] }> {
  const out: Record<string, { missing: string[]; unexpected: string[] }> = {};
  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[table] ?? [];
    const a = actual[table] ?? [];
    const missing = e.filter((r) => !a.includes(r));
    const unexpected = a.filter((r) => !e.includes(r));
    if (missing.length + unexpected.length > 0) out[table] = { missing, unexpected };
  }
  return out;
}
