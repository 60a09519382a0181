import { asGlobalPosition, type RecordedEvent } from '@attest/event-store';
import { evolveEventLogStats } from './event-log-stats.evolve';

function recorded(position: string, at: string, type = 'ThingHappened.v1'): RecordedEvent {
  return {
    id: '01a20000-0000-7000-8000-000000000000',
    type,
    data: {},
    metadata: { tenantId: 't1', actor: 'system:test', correlationId: 'c', causationId: null, commandId: null, occurredAt: at },
    streamId: 'thing-1',
    streamPosition: 0,
    globalPosition: asGlobalPosition(position),
    recordedAt: new Date(at),
  };
}

describe('evolveEventLogStats', () => {
  const first = recorded('pg:00000001.0000000000000010.0000000000000001', '2026-01-01T00:00:00Z');
  const second = recorded('pg:00000001.0000000000000011.0000000000000002', '2026-01-02T00:00:00Z');

  it('starts a row from the first event', () => {
    expect(evolveEventLogStats(undefined, first)).toMatchObject({ tenantId: 't1', eventType: 'ThingHappened.v1', events: 1 });
  });

  it('counts later events and keeps the time range', () => {
    const row = evolveEventLogStats(evolveEventLogStats(undefined, first), second);
    expect(row).toMatchObject({ events: 2, firstRecordedAt: first.recordedAt, lastRecordedAt: second.recordedAt });
  });

  it('changes nothing when an event is delivered twice', () => {
    const once = evolveEventLogStats(evolveEventLogStats(undefined, first), second);
    expect(evolveEventLogStats(once, second)).toBe(once);
    expect(evolveEventLogStats(once, first)).toBe(once);
  });
});
