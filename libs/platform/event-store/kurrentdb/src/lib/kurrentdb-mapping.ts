import {
  ANY as KDB_ANY,
  NO_STREAM as KDB_NO_STREAM,
  STREAM_EXISTS as KDB_STREAM_EXISTS,
  eventTypeFilter,
  streamNameFilter,
  type AppendStreamState,
  type Filter,
  type Position,
} from '@kurrent/kurrentdb-client';
// The client's own parser (not re-exported by its index; pinned with the client version in package-lock.json).
import { parseConnectionString } from '@kurrent/kurrentdb-client/dist/Client/parseConnectionString';
import {
  ANY,
  EVENT_TYPE_PATTERN,
  asGlobalPosition,
  hexField,
  InvalidEventStoreRequestError,
  NO_STREAM,
  STREAM_EXISTS,
  type EventFilter,
  type ExpectedRevision,
  type GlobalPosition,
} from '@attest/event-store';

const PATTERN = /^kdb:([0-9a-f]{16})\.([0-9a-f]{16})$/;

export function encodeKurrentPosition(p: Position): GlobalPosition {
  return asGlobalPosition(`kdb:${hexField(p.commit, 16)}.${hexField(p.prepare, 16)}`);
}

export function decodeKurrentPosition(position: GlobalPosition | string): Position {
  const m = PATTERN.exec(position);
  if (!m?.[1] || !m[2]) throw new InvalidEventStoreRequestError('not a position of the KurrentDB event store');
  return { commit: BigInt(`0x${m[1]}`), prepare: BigInt(`0x${m[2]}`) };
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case NO_STREAM:
      return KDB_NO_STREAM;
    case STREAM_EXISTS:
      return KDB_STREAM_EXISTS;
    case ANY:
      return KDB_ANY;
    default:
      return BigInt(expected);
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Port filters become server-side $all filters; categories are stream-name prefixes. */
export function toKurrentFilter(filter: EventFilter | undefined): Filter | undefined {
  if (!filter) return undefined;
  if ('eventTypes' in filter) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  return streamNameFilter({ prefixes: filter.streamCategories.map((c) => `${c}-`) });
}

/**
 * Without a port filter, $all is read for Attest's event types only (`Name.vN`):
 * neither KurrentDB's system events nor, on a shared server, other applications'
 * events of another naming reach a projection. Events of the same form but without
 * Attest's metadata are dropped when read.
 */
export const ATTEST_EVENTS_ONLY = eventTypeFilter({ regex: EVENT_TYPE_PATTERN.source });

/**
 * Checks a connection string as the client parses it (every form it accepts:
 * `kurrentdb://host:2113?tls=false`, seed lists `kurrentdb://a:2113,b:2113,c:2113`,
 * `kurrentdb+discover://`, `kdb://`, `kurrent://`, the deprecated `esdb://`), so a
 * mistake is one clear line at start, not a failure at the first request.
 */
export function checkConnectionString(connectionString: string): void {
  try {
    parseConnectionString(connectionString);
  } catch (error) {
    throw new InvalidEventStoreRequestError(`KURRENTDB_URL is not a KurrentDB connection string: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
}
