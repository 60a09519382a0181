import type { GlobalPosition, RecordedEvent } from '@attest/event-store';

export interface EventLogStatsRow {
  readonly tenantId: string;
  readonly eventType: string;
  readonly events: number;
  readonly firstRecordedAt: Date;
  readonly lastRecordedAt: Date;
  /** Newest event counted; events at or before it are already in the row. */
  readonly lastPosition: GlobalPosition;
}

/** Pure: folds one event into its row. An event already counted changes nothing. */
export function evolveEventLogStats(row: EventLogStatsRow | undefined, event: RecordedEvent): EventLogStatsRow {
  if (!row) {
    return {
      tenantId: event.metadata.tenantId,
      eventType: event.type,
      events: 1,
      firstRecordedAt: event.recordedAt,
      lastRecordedAt: event.recordedAt,
      lastPosition: event.globalPosition,
    };
  }
  if (event.globalPosition <= row.lastPosition) return row;
  // Written out, not spread: on Node 20 each key added after a spread costs about a microsecond, per event here.
  return {
    tenantId: row.tenantId,
    eventType: row.eventType,
    events: row.events + 1,
    firstRecordedAt: event.recordedAt < row.firstRecordedAt ? event.recordedAt : row.firstRecordedAt,
    lastRecordedAt: event.recordedAt > row.lastRecordedAt ? event.recordedAt : row.lastRecordedAt,
    lastPosition: event.globalPosition,
  };
}

/** One row's key: neither part holds a NUL character (PostgreSQL text and jsonb cannot). */
export function statsKey(tenantId: string, eventType: string): string {
  return `${tenantId}\u0000${eventType}`;
}
