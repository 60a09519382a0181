import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Subject data keys (wrapped), the erasure fence, and a check value per master key. No grants to attest_app. */
export class KeyVault1763770000000 implements MigrationInterface {
  readonly name = 'KeyVault1763770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS key_vault`);
    await q.query(`
      CREATE TABLE key_vault.subject_keys (
        subject_id text PRIMARY KEY,
        kid text NOT NULL UNIQUE,
        kek_id text NOT NULL,
        wrapped bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE key_vault.erased_subjects (
        subject_id text PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE key_vault.kek_checks (
        kek_id text PRIMARY KEY,
        wrapped bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA key_vault CASCADE`);
  }
}
