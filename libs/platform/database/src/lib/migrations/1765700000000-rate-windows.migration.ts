import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate limits every API process shares (`SharedRateLimiter`): requests per key and minute,
 * the key a keyed hash. Written and read by the owner connection only; rows older than the
 * previous minute are deleted as the processes sync.
 */
export class RateWindows1765700000000 implements MigrationInterface {
  readonly name = 'RateWindows1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE http.rate_windows (
        scope text NOT NULL,
        key text NOT NULL,
        minute bigint NOT NULL,
        used integer NOT NULL,
        PRIMARY KEY (scope, key, minute)
      )`);
    await q.query(`CREATE INDEX rate_windows_minute ON http.rate_windows (minute)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE http.rate_windows`);
  }
}
