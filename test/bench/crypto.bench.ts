/**
 * npm run bench:crypto — appends through the encrypting store against the
 * plain Postgres adapter on the same server in the same run, and decryption
 * throughput on read. JSON on the last line.
 *
 * The cost ratio is measured so that a regression can be told from noise: many
 * short rounds, each a pair of equal slices (plain then encrypted, or the other
 * way round, alternating, so that a drift of the machine during a round weighs
 * on both sides), one ratio per round, and the median of the per-round ratios
 * with its interquartile range. The first round is a warm-up and not counted.
 * `encryptionCostRatio` is that median; `encryptionCostRatioPooled` is total
 * plain throughput over total encrypted throughput, as this bench reported before.
 *
 *   BENCH_SECONDS (default 20, the measured part)  BENCH_ROUNDS (default 40)
 *   BENCH_WRITERS (default 8)  BENCH_SUBJECTS (default 1000)
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createDataSource, platformMigrations, runMigrations } from '@attest/database';
import { NO_STREAM, type EventStore, type NewEvent } from '@attest/event-store';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import { EventTypeRegistry } from '@attest/privacy';
import { EncryptingEventStore, keyVaultMigrations, parseMasterKey, PostgresKeyVault } from '@attest/privacy-postgres';
import { benchDatabase, report, runBench } from './support';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 8);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 1000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 40);

/** The q-quantile of sorted values (linear between neighbours). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? Number.NaN) + ((sorted[hi] ?? Number.NaN) - (sorted[lo] ?? Number.NaN)) * (at - lo);
}
const PERSONAL = ['name', 'contact.email', 'contact.phone'];

const registry = new EventTypeRegistry([
  {
    type: 'CustomerRegistered.v1',
    personalData: true,
    subject: 'customerId',
    personal: PERSONAL,
    fields: { customerId: 'not-personal', name: 'personal', contact: { email: 'personal', phone: 'personal' }, tier: 'not-personal' },
  },
]);
const subjects = Array.from({ length: SUBJECTS }, () => uuidv7());

function event(i: number): NewEvent {
  return {
    id: uuidv7(),
    type: 'CustomerRegistered.v1',
    data: {
      customerId: subjects[i % SUBJECTS] ?? '',
      name: `Customer Name ${i}`,
      contact: { email: `customer.${i}@example.com`, phone: `+86 138 0000 ${String(i % 10000).padStart(4, '0')}` },
      tier: 'gold',
    },
    metadata: {
      tenantId: 'bench',
      actor: 'system:bench',
      correlationId: uuidv7(),
      causationId: null,
      commandId: uuidv7(),
      occurredAt: new Date().toISOString(),
    },
  };
}

async function run(store: EventStore, seconds: number, next: number[]): Promise<{ ops: number; secs: number }> {
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const stream = `bench${w}-${String(next.length)}`;
      let n = 0;
      while (Date.now() < deadline) {
        const i = next[w] ?? 0;
        await store.appendToStream(stream, [event(i * WRITERS + w)], { expectedRevision: i === 0 ? NO_STREAM : i - 1 });
        next[w] = i + 1;
        n += 1;
      }
      return n;
    }),
  );
  return { ops: counts.reduce((a, b) => a + b, 0), secs: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  try {
    const url = db.url;
    const ds = createDataSource({ url, migrations: [...eventStoreMigrations, ...platformMigrations, ...keyVaultMigrations] });
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();

    const plain = new PostgresEventStore({ connectionString: url, poolSize: WRITERS });
    const vault = new PostgresKeyVault({ connectionString: url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    const encrypted = new EncryptingEventStore(new PostgresEventStore({ connectionString: url, poolSize: WRITERS }), registry, vault);

    // Steady state: every subject already has its key (creation is a one-time cost per subject).
    for (let i = 0; i < SUBJECTS; i += 50) await Promise.all(subjects.slice(i, i + 50).map((s) => vault.keyForWriting(s)));

    // Streams differ per store: `bench<w>-<n>` with n = 8 (plain) or 9 (encrypted) counters.
    const plainNext = new Array<number>(WRITERS).fill(0);
    const encNext = new Array<number>(WRITERS + 1).fill(0);
    const totals = { plain: { ops: 0, secs: 0 }, encrypted: { ops: 0, secs: 0 } };
    const slice = SECONDS / ROUNDS / 2;
    const ratios: number[] = [];
    process.stderr.write(`appends: ${WRITERS} writers, ${SUBJECTS} subjects, 1 warm-up and ${ROUNDS} rounds of two ${slice.toFixed(2)} s slices\n`);
    for (let round = -1; round < ROUNDS; round++) {
      // Odd rounds run the encrypted slice first: a drift within a round weighs on both sides over the run.
      const encryptedFirst = round % 2 !== 0;
      const e1 = encryptedFirst ? await run(encrypted, slice, encNext) : null;
      const p = await run(plain, slice, plainNext);
      const e = e1 ?? (await run(encrypted, slice, encNext));
      if (round < 0) continue; // warm-up: JIT, pools, the vault's key cache
      totals.plain.ops += p.ops;
      totals.plain.secs += p.secs;
      totals.encrypted.ops += e.ops;
      totals.encrypted.secs += e.secs;
      ratios.push(p.ops / p.secs / (e.ops / e.secs));
    }
    const plainPerSec = totals.plain.ops / totals.plain.secs;
    const encPerSec = totals.encrypted.ops / totals.encrypted.secs;
    ratios.sort((a, b) => a - b);
    const ratioMedian = quantile(ratios, 0.5);
    const [q1, q3] = [quantile(ratios, 0.25), quantile(ratios, 0.75)];

    process.stderr.write('decrypting everything appended through the encrypting store\n');
    let fields = 0;
    let after: Awaited<ReturnType<EventStore['readAll']>>[number]['globalPosition'] | undefined;
    const started = process.hrtime.bigint();
    for (;;) {
      const page = await encrypted.readAll({ ...(after ? { after } : {}), maxCount: 1000, filter: { eventTypes: ['CustomerRegistered.v1'] } });
      const last = page[page.length - 1];
      if (!last) break;
      fields += page.filter((e) => typeof e.data['name'] === 'string').length * PERSONAL.length;
      after = last.globalPosition;
    }
    const decryptSecs = Number(process.hrtime.bigint() - started) / 1e9;

    await plain.close();
    await encrypted.close();
    await vault.close();

    const result = {
      writers: WRITERS,
      subjects: SUBJECTS,
      plainAppendsPerSec: Math.round(plainPerSec),
      encryptedAppendsPerSec: Math.round(encPerSec),
      rounds: ROUNDS,
      encryptionCostRatio: Number(ratioMedian.toFixed(3)),
      encryptionCostRatioQ1: Number(q1.toFixed(3)),
      encryptionCostRatioQ3: Number(q3.toFixed(3)),
      encryptionCostRatioIqr: Number((q3 - q1).toFixed(3)),
      encryptionCostRatioPooled: Number((plainPerSec / encPerSec).toFixed(3)),
      target: { encryptionCostRatioAtMost: 1.3 },
      met: ratioMedian <= 1.3,
      decryptFieldsPerSec: Math.round(fields / decryptSecs),
      decryptedFields: fields,
    };
    report(
      ['measure', 'value'],
      [
        ['plain appends/s', String(result.plainAppendsPerSec)],
        ['encrypted appends/s', String(result.encryptedAppendsPerSec)],
        [
          `encryption cost: median of ${String(ROUNDS)} per-round ratios (IQR)`,
          `${String(result.encryptionCostRatio)} (${String(result.encryptionCostRatioQ1)}–${String(result.encryptionCostRatioQ3)})`,
        ],
        ['encryption cost: pooled ratio', String(result.encryptionCostRatioPooled)],
        ['decrypted fields/s (read)', String(result.decryptFieldsPerSec)],
      ],
      result,
    );
  } finally {
    await db.stop();
  }
}

runBench(main);
