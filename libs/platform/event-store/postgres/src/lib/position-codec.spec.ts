import { comparePositions, InvalidEventStoreRequestError } from '@attest/event-store';
import { decodePgPosition, encodePgPosition } from './position-codec';

describe('Postgres position codec', () => {
  it('round-trips', () => {
    const p = { epoch: 3, transactionId: 2n ** 40n + 7n, seq: 123456789n };
    expect(decodePgPosition(encodePgPosition(p))).toEqual(p);
  });

  it('orders by epoch, then transaction id, then sequence, as strings', () => {
    const ordered = [
      { epoch: 1, transactionId: 9n, seq: 100n },
      { epoch: 1, transactionId: 10n, seq: 1n },
      { epoch: 1, transactionId: 10n, seq: 2n },
      { epoch: 2, transactionId: 1n, seq: 0n },
    ].map(encodePgPosition);
    expect([...ordered].sort()).toEqual(ordered);
    expect(comparePositions(ordered[0]!, ordered[1]!)).toBe(-1);
    expect(comparePositions(ordered[3]!, ordered[3]!)).toBe(0);
  });

  it('refuses positions of another store', () => {
    expect(() => decodePgPosition('kdb:0000000000000001.0000000000000001')).toThrow(InvalidEventStoreRequestError);
  });
});
