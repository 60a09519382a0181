import { ANY as KDB_ANY, NO_STREAM as KDB_NO_STREAM, STREAM_EXISTS as KDB_STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { ANY, comparePositions, InvalidEventStoreRequestError, NO_STREAM, STREAM_EXISTS } from '@attest/event-store';
import { decodeKurrentPosition, encodeKurrentPosition, toKurrentFilter, toStreamState } from './kurrentdb-mapping';

describe('KurrentDB mapping', () => {
  it('maps expected revisions to stream states', () => {
    expect(toStreamState(NO_STREAM)).toBe(KDB_NO_STREAM);
    expect(toStreamState(STREAM_EXISTS)).toBe(KDB_STREAM_EXISTS);
    expect(toStreamState(ANY)).toBe(KDB_ANY);
    expect(toStreamState(41)).toBe(41n);
  });

  it('encodes positions so that string order is log order', () => {
    const a = encodeKurrentPosition({ commit: 100n, prepare: 100n });
    const b = encodeKurrentPosition({ commit: 2n ** 40n, prepare: 2n ** 40n });
    expect(comparePositions(a, b)).toBe(-1);
    expect(decodeKurrentPosition(b)).toEqual({ commit: 2n ** 40n, prepare: 2n ** 40n });
    expect(() => decodeKurrentPosition('pg:00000001.0000000000000001.0000000000000001')).toThrow(InvalidEventStoreRequestError);
  });

  it('filters event types exactly and categories by stream prefix', () => {
    const byType = toKurrentFilter({ eventTypes: ['ConsentGranted.v1', 'ConsentWithdrawn.v1'] });
    expect(byType).toMatchObject({ filterOn: 'eventType', regex: '^(?:ConsentGranted\\.v1|ConsentWithdrawn\\.v1)$' });
    const regex = new RegExp((byType as { regex: string }).regex);
    expect(regex.test('ConsentGranted.v1')).toBe(true);
    expect(regex.test('ConsentGranted.v10')).toBe(false);
    expect(toKurrentFilter({ streamCategories: ['customer'] })).toMatchObject({ filterOn: 'streamName', prefixes: ['customer-'] });
  });
});
