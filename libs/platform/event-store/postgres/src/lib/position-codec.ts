import { asGlobalPosition, hexField, InvalidEventStoreRequestError, type GlobalPosition } from '@attest/event-store';

/** A position in the Postgres log: (epoch, writing transaction id, sequence). */
export interface PgPosition {
  readonly epoch: number;
  readonly transactionId: bigint;
  readonly seq: bigint;
}

export const PG_LOG_START: PgPosition = { epoch: 0, transactionId: 0n, seq: 0n };

const PATTERN = /^pg:([0-9a-f]{8})\.([0-9a-f]{16})\.([0-9a-f]{16})$/;

export function encodePgPosition(p: PgPosition): GlobalPosition {
  return asGlobalPosition(`pg:${hexField(BigInt(p.epoch), 8)}.${hexField(p.transactionId, 16)}.${hexField(p.seq, 16)}`);
}

export function decodePgPosition(position: GlobalPosition | string): PgPosition {
  const m = PATTERN.exec(position);
  if (!m?.[1] || !m[2] || !m[3]) throw new InvalidEventStoreRequestError('not a position of the Postgres event store');
  return { epoch: parseInt(m[1], 16), transactionId: BigInt(`0x${m[2]}`), seq: BigInt(`0x${m[3]}`) };
}
