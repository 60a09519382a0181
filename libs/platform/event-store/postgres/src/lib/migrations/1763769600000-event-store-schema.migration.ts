import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Postgres event store. Global order is (epoch, transaction_id, seq):
 * readers only return events whose writing transaction is older than every
 * transaction still running (`pg_snapshot_xmin`), so an event committed late
 * by an early transaction can never be skipped (ADR 0002). `epoch` moves the
 * log forward when transaction ids went backwards after a restore.
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
      CREATE TABLE event_store.streams (
        stream_id text PRIMARY KEY,
        category text NOT NULL,
        revision bigint NOT NULL CHECK (revision >= -1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
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
      CREATE FUNCTION event_store.append_to_stream(
        p_stream_id text, p_category text, p_expected text,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[])
      RETURNS TABLE (r_event_id uuid, r_stream_position bigint, r_epoch integer,
                     r_transaction_id xid8, r_seq bigint, r_recorded_at timestamptz, r_idempotent boolean)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_current bigint;
        v_count integer := cardinality(p_ids);
        v_found integer;
        v_same_stream boolean;
        v_offsets integer;
        v_epoch integer;
      BEGIN
        -- 1. Lock the stream row: writers of one stream queue here.
        SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO event_store.streams (stream_id, category, revision)
          VALUES (p_stream_id, p_category, -1) ON CONFLICT (stream_id) DO NOTHING;
          SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
        END IF;

        -- 2. Idempotency: the same ids appended again return the first result.
        SELECT count(*), coalesce(bool_and(e.stream_id = p_stream_id), true),
               count(DISTINCT e.stream_position - u.ord)
          INTO v_found, v_same_stream, v_offsets
          FROM unnest(p_ids) WITH ORDINALITY AS u(id, ord)
          JOIN event_store.events e ON e.event_id = u.id;
        IF v_found > 0 THEN
          IF v_found = v_count AND v_same_stream AND v_offsets = 1 THEN
            RETURN QUERY
              SELECT e.event_id, e.stream_position, e.epoch, e.transaction_id, e.seq, e.recorded_at, true
              FROM unnest(p_ids) WITH ORDINALITY AS u(id, ord)
              JOIN event_store.events e ON e.event_id = u.id
              ORDER BY u.ord;
            RETURN;
          END IF;
          RAISE EXCEPTION 'event ids already appended elsewhere or only in part'
            USING ERRCODE = 'AT002';
        END IF;

        -- 3. Optimistic concurrency.
        IF (p_expected = 'no_stream' AND v_current <> -1)
           OR (p_expected = 'stream_exists' AND v_current = -1)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current <> p_expected::bigint) THEN
          RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'AT001', DETAIL = v_current::text;
        END IF;

        -- 4. Guard against transaction ids that went backwards (restore).
        SELECT s.epoch INTO v_epoch FROM event_store.settings s;
        IF event_store.current_regression(v_epoch) THEN
          v_epoch := event_store.heal_epoch();
        END IF;

        -- 5. Write.
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO event_store.events AS e
              (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
            SELECT v_epoch, pg_current_xact_id(), u.id, p_stream_id, p_category, v_current + u.ord,
                   u.type, u.data, u.metadata
            FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, type, data, metadata, ord)
            ORDER BY u.ord
            RETURNING e.event_id, e.stream_position, e.epoch, e.transaction_id, e.seq, e.recorded_at
          )
          SELECT i.event_id, i.stream_position, i.epoch, i.transaction_id, i.seq, i.recorded_at, false
          FROM inserted i ORDER BY i.stream_position;
        UPDATE event_store.streams SET revision = v_current + v_count, updated_at = now()
          WHERE stream_id = p_stream_id;
      END $$`);
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
