import type { DataSource, EntityManager } from 'typeorm';
import { withTenant } from '@attest/database';
import { asGlobalPosition, type RecordedEvent } from '@attest/event-store';
import type { Projection } from '@attest/projections';
import { evolveEventLogStats, statsKey, type EventLogStatsRow } from './event-log-stats.evolve';

const TABLE = 'read_models.event_log_stats_v1';

interface StatsRecord {
  tenant_id: string;
  event_type: string;
  events: string;
  first_recorded_at: Date;
  last_recorded_at: Date;
  last_position: string;
}

function fromRecord(r: StatsRecord): EventLogStatsRow {
  return {
    tenantId: r.tenant_id,
    eventType: r.event_type,
    events: Number(r.events),
    firstRecordedAt: r.first_recorded_at,
    lastRecordedAt: r.last_recorded_at,
    lastPosition: asGlobalPosition(r.last_position),
  };
}

/** Writer: load the touched rows, fold the batch with the pure evolve, upsert. */
export const eventLogStatsProjection: Projection = {
  name: 'event-log-stats',
  version: 1,
  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const keys = new Map<string, { tenantId: string; eventType: string }>();
    for (const e of events) keys.set(statsKey(e.metadata.tenantId, e.type), { tenantId: e.metadata.tenantId, eventType: e.type });
    const wanted = [...keys.values()];
    const existing: StatsRecord[] = await manager.query(
      `SELECT s.* FROM ${TABLE} s
       JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, event_type)
         ON s.tenant_id = k.tenant_id AND s.event_type = k.event_type`,
      [wanted.map((k) => k.tenantId), wanted.map((k) => k.eventType)],
    );
    const rows = new Map<string, EventLogStatsRow>(existing.map((r) => [statsKey(r.tenant_id, r.event_type), fromRecord(r)]));
    for (const e of events) {
      const key = statsKey(e.metadata.tenantId, e.type);
      rows.set(key, evolveEventLogStats(rows.get(key), e));
    }
    const changed = [...rows.entries()].filter(([key]) => keys.has(key)).map(([, row]) => row);
    await manager.query(
      `INSERT INTO ${TABLE} (tenant_id, event_type, events, first_recorded_at, last_recorded_at, last_position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[])
       ON CONFLICT (tenant_id, event_type) DO UPDATE SET
         events = EXCLUDED.events,
         first_recorded_at = EXCLUDED.first_recorded_at,
         last_recorded_at = EXCLUDED.last_recorded_at,
         last_position = EXCLUDED.last_position`,
      [
        changed.map((r) => r.tenantId),
        changed.map((r) => r.eventType),
        changed.map((r) => r.events),
        changed.map((r) => r.firstRecordedAt.toISOString()),
        changed.map((r) => r.lastRecordedAt.toISOString()),
        changed.map((r) => r.lastPosition),
      ],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${TABLE}`);
  },
};

export async function listEventLogStats(manager: EntityManager, tenantId?: string): Promise<EventLogStatsRow[]> {
  const rows: StatsRecord[] = tenantId
    ? await manager.query(`SELECT * FROM ${TABLE} WHERE tenant_id = $1 ORDER BY event_type`, [tenantId])
    : await manager.query(`SELECT * FROM ${TABLE} ORDER BY tenant_id, event_type`);
  return rows.map(fromRecord);
}

/** Tenant-scoped reads for the API, as the app role (RLS applies). */
export class EventLogStatsReader {
  constructor(private readonly appDataSource: DataSource) {}

  forTenant(tenantId: string): Promise<EventLogStatsRow[]> {
    return withTenant(this.appDataSource, tenantId, (m) => listEventLogStats(m, tenantId));
  }
}
