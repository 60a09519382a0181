import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far each projection applied each stream inline (`InlineProjector`): the
 * next inline projection of the stream starts after it, under the row's lock,
 * so two commands on one stream never apply their events out of order.
 */
export class InlineStreamPositions1765000000000 implements MigrationInterface {
  readonly name = 'InlineStreamPositions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projections.inline_streams (
        projection text NOT NULL,
        stream_id text NOT NULL,
        -- the stream position of the last event applied inline; -1 before the first
        applied_through bigint NOT NULL CHECK (applied_through >= -1),
        PRIMARY KEY (projection, stream_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projections.inline_streams`);
  }
}
