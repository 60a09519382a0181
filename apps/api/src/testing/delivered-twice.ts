import { matchesFilter, type RecordedEvent } from '@attest/event-store';
import type { Infrastructure } from '@attest/runtime';

/** Schemas holding read models and what projections write (the log, keys and checkpoints are not theirs). */
const EXCLUDED_SCHEMAS = ['event_store', 'key_vault', 'projections', 'pg_catalog', 'information_schema', 'public'];
/** Tables no projection writes that change on their own: shared rate limits (synced every 250 ms), API keys' last use (every 30 s). */
const EXCLUDED_TABLES = ['http.rate_windows', 'access.api_key_uses'];

/** Every row of every table the projections write, as text, in a stable order. */
export async function snapshot(infra: Infrastructure): Promise<Record<string, string[]>> {
  const tables = await infra.dataSource.query<{ name: string }[]>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema <> ALL($1::text[]) AND format('%I.%I', table_schema, table_name) <> ALL($2::text[]) ORDER BY 1`,
    [EXCLUDED_SCHEMAS, EXCLUDED_TABLES],
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await infra.dataSource.query<{ row: string }[]>(`SELECT to_jsonb(t)::text AS row FROM ${name} t ORDER BY 1`);
    out[name] = rows.map((r) => r.row);
  }
  return out;
}

/**
 * Delivers every event of the log a second time to each projection, as a
 * worker does after a crash between applying a batch and moving its
 * checkpoint, or as the workers do after a command applied its stream inline:
 * nothing any projection writes may change. Returns what did change, by
 * projection (empty when every projection is idempotent).
 */
export async function changesWhenDeliveredTwice(infra: Infrastructure): Promise<Record<string, Record<string, { before: string[]; after: string[] }>>> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const last = events[events.length - 1];
    const page = await infra.store.readAll({ ...(last ? { after: last.globalPosition } : {}), maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) break;
  }
  await infra.recordLog.drain();
  const changed: Record<string, Record<string, { before: string[]; after: string[] }>> = {};
  for (const projection of infra.projections) {
    const before = await snapshot(infra);
    const relevant = events.filter((e) => matchesFilter(projection.filter, e));
    for (let i = 0; i < relevant.length; i += 500) {
      await infra.dataSource.transaction((m) => projection.apply(relevant.slice(i, i + 500), m));
    }
    await infra.recordLog.drain();
    const after = await snapshot(infra);
    for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const b = before[table] ?? [];
      const a = after[table] ?? [];
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        changed[projection.name] ??= {};
        const changedTables = changed[projection.name] ?? {};
        changedTables[table] = { before: b.filter((r) => !a.includes(r)), after: a.filter((r) => !b.includes(r)) };
      }
    }
  }
  return changed;
}
