import { describeEventStoreContract } from '@attest/event-store-contract';
import { NO_STREAM } from '@attest/event-store';
import { KurrentDbEventStore } from './kurrentdb-event-store';

// The same contract as the Postgres adapter, against a real KurrentDB:
//   docker compose up -d kurrentdb
//   KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npm run test:unit
const url = process.env['KURRENTDB_URL'];

if (url) {
  describeEventStoreContract('kurrentdb', () => {
    const store = new KurrentDbEventStore({ connectionString: url });
    return Promise.resolve({
      store,
      // KurrentDB commits each append atomically and in log order; an append
      // that "commits late" is simply one that is issued late.
      holdAppend: (streamId, events) =>
        Promise.resolve({
          commit: async () => {
            await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
          },
        }),
      teardown: () => store.close(),
      refusesIdsOfOtherStreams: false,
    });
  });
} else {
  describe('EventStore contract: kurrentdb', () => {
    it.skip('runs when KURRENTDB_URL is set (see README: docker compose up -d kurrentdb)', () => undefined);
  });
}
