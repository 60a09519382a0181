import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Postgres event store. Global order is (epoch, transaction_id, seq):
 * readers only return events whose writing transaction is older than every
 * transaction still running (`pg_snapshot_xmin`), so an event committed late
 * by an early transaction can never be skipped (ADR 0002). `epoch` moves the
 * log forward when transaction ids went backwards after a restore; every new
 * connection of the adapter checks for that, and readers at most once per poll interval.
 */
export class EventStoreSchema1763769600000 implements MigrationInterface {
  readonly name = 'EventStoreSchema1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS event_store`);
    await q.query(`
      CREATE TABLE event_store.settings (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        epoch integer NOT NULL DEFAULT 1 CHECK (epoch > 0),
        epoch_changed_at timestamptz
      )`);
    await q.query(`INSERT INTO event_store.settings DEFAULT VALUES`);
    await q.query(`
      CREATE TABLE event_store.events (
        epoch integer NOT NULL,
        transaction_id xid8 NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        category text NOT NULL,
        stream_position bigint NOT NULL CHECK (stream_position >= 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_pkey PRIMARY KEY (epoch, transaction_id, seq),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_position_key UNIQUE (stream_id, stream_position)
      )`);
    await q.query(`
      CREATE FUNCTION event_store.current_regression(p_epoch integer) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        -- A visible row written by a transaction id at or beyond this snapshot's
        -- xmax cannot come from this cluster's timeline: ids went backwards.
        SELECT EXISTS (
          SELECT 1 FROM event_store.events e
          WHERE e.epoch = p_epoch AND e.transaction_id >= pg_snapshot_xmax(pg_current_snapshot())
        )
      $$`);
    await q.query(`
      CREATE FUNCTION event_store.heal_epoch() RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE v_epoch integer;
      BEGIN
        -- Waits for appends in flight, blocks new ones until commit; readers go on.
        LOCK TABLE event_store.events IN EXCLUSIVE MODE;
        SELECT s.epoch INTO v_epoch FROM event_store.settings s;
        IF event_store.current_regression(v_epoch) THEN
          UPDATE event_store.settings SET epoch = epoch + 1, epoch_changed_at = now()
          RETURNING epoch INTO v_epoch;
          RAISE WARNING 'event_store: transaction ids went backwards (restored database?); log moved to epoch %', v_epoch;
        END IF;
        RETURN v_epoch;
      END $$`);
    await q.query(`
      CREATE FUNCTION event_store.heal_if_regressed() RETURNS integer
      LANGUAGE sql AS $$
        -- Cheap when nothing is wrong: one probe at the top of the primary key.
        SELECT CASE WHEN event_store.current_regression(s.epoch) THEN event_store.heal_epoch() ELSE s.epoch END
        FROM event_store.settings s
      $$`);
    await q.query(`
      CREATE FUNCTION event_store.visible_horizon() RETURNS TABLE (h_epoch integer, h_xmin xid8)
      LANGUAGE sql STABLE AS $$
        -- Events strictly below (epoch, xmin) were written by transactions that
        -- have all ended: nothing can ever be inserted before them.
        SELECT s.epoch, pg_snapshot_xmin(pg_current_snapshot()) FROM event_store.settings s
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA event_store CASCADE`);
  }
}
