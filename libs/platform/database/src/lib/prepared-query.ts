import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A query for the hot path: straight on the data source's pg pool (no
 * TypeORM query runner per call) as a named prepared statement, so
 * PostgreSQL parses and plans it once per connection.
 */
export async function preparedQuery<R extends pg.QueryResultRow>(dataSource: DataSource, name: string, text: string, values: readonly unknown[]): Promise<R[]> {
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) return dataSource.query<R[]>(text, [...values]);
  const result = await pool.query<R>({ name, text, values: [...values] });
  return result.rows;
}
