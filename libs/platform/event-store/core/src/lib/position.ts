import type { GlobalPosition } from './event';
import { UnknownCheckpointError } from './errors';

/**
 * Global positions are encoded by each adapter as fixed-width lowercase hex
 * fields behind an adapter prefix (`pg:` or `kdb:`), so that plain string
 * comparison orders them. The encoding is the adapter's business; consumers
 * only store and compare.
 */
export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.length !== b.length || a.slice(0, a.indexOf(':')) !== b.slice(0, b.indexOf(':'))) {
    throw new TypeError('positions from different stores cannot be compared');
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hexField(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError('position fields are unsigned');
  const hex = value.toString(16);
  if (hex.length > width) throw new RangeError('position field overflow');
  return hex.padStart(width, '0');
}

export function asGlobalPosition(value: string): GlobalPosition {
  return value as GlobalPosition;
}

const STORE_NAMES: Readonly<Record<string, string>> = { pg: 'Postgres', kdb: 'KurrentDB' };

/**
 * Refuses a checkpoint written by another kind of store (a deployment switched
 * adapters and kept its read models): the subscriber must rebuild from this
 * store's log, which `UnknownCheckpointError` tells it to do.
 */
export function assertPositionOfStore(prefix: 'pg' | 'kdb', position: GlobalPosition | string): void {
  const found = position.slice(0, Math.max(0, position.indexOf(':')));
  if (found === prefix) return;
  throw new UnknownCheckpointError(
    `the checkpoint ${position} was written by ${STORE_NAMES[found] ? `the ${STORE_NAMES[found]}` : 'another'} event store, and this deployment reads the ${STORE_NAMES[prefix] ?? prefix} one: ` +
      'the read model is rebuilt from this log (after switching EVENT_STORE, see docs/runbook.md "Switching the event store")',
  );
}

/** The exact form of each adapter's positions (`position-codec.ts`, `kurrentdb-mapping.ts`): what a consistency token must look like. */
const POSITION_FORMS: Readonly<Record<'postgres' | 'kurrentdb', RegExp>> = {
  postgres: /^pg:[0-9a-f]{8}\.[0-9a-f]{16}\.[0-9a-f]{16}$/,
  kurrentdb: /^kdb:[0-9a-f]{16}\.[0-9a-f]{16}$/,
};

/**
 * A consistency token (a position a command answered with) of this store's kind, or null when
 * `token` is not one: callers answer that as a bad request, never compare it.
 */
export function asPositionOf(kind: 'postgres' | 'kurrentdb', token: string): GlobalPosition | null {
  return POSITION_FORMS[kind].test(token) ? (token as GlobalPosition) : null;
}
