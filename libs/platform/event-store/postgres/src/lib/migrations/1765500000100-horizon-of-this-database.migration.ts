import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The visibility horizon waits only for transactions that could write to this
 * log (ADR 0002, amended). It was the oldest transaction running anywhere in the
 * cluster, so a long transaction in another database of the server (a report, a
 * test suite next door) held back every subscription here. Only a transaction
 * connected to this database can insert into `event_store.events`; a running
 * id that `pg_stat_activity` places in another database is therefore not waited
 * for. Every other running id still is, including one whose owner cannot be
 * named (it ended after the snapshot, a prepared transaction, a subtransaction,
 * a backend whose details the role may not see): never later than before.
 */
export class HorizonOfThisDatabase1765500000100 implements MigrationInterface {
  readonly name = 'HorizonOfThisDatabase1765500000100';

  async up(q: QueryRunner): Promise<void> {
    // pg_current_snapshot() is the statement's snapshot, taken before pg_stat_activity is read:
    // an id running at the snapshot and ended by then is not found elsewhere, so it is waited for.
    // PL/pgSQL, not SQL: a SQL function would be inlined and its pg_stat_activity view planned again in every read
    // that names it, even when the read does not call it; PL/pgSQL plans it once per connection.
    await q.query(`
      CREATE OR REPLACE FUNCTION event_store.visible_horizon() RETURNS TABLE (h_epoch integer, h_xmin xid8)
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN QUERY
        WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
        elsewhere AS MATERIALIZED (
          SELECT a.backend_xid AS xid FROM pg_stat_activity a
           WHERE a.backend_xid IS NOT NULL
             AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
        )
        SELECT s.epoch,
               coalesce((SELECT min(x) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
                          WHERE NOT EXISTS (SELECT 1 FROM elsewhere e WHERE e.xid = x::xid)),
                        (SELECT pg_snapshot_xmax(snapshot.s) FROM snapshot))
          FROM event_store.settings s;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION event_store.visible_horizon() RETURNS TABLE (h_epoch integer, h_xmin xid8)
      LANGUAGE sql STABLE AS $$
        SELECT s.epoch, pg_snapshot_xmin(pg_current_snapshot()) FROM event_store.settings s
      $$`);
  }
}
