import type { DataSource } from 'typeorm';
import type { IdempotencyBegin, IdempotencyScope, IdempotencyStore } from '@attest/security';
import { withTenant } from './tenant-scope';

interface Row {
  fingerprint: string;
  state: 'pending' | 'done';
  status: number | null;
  body: unknown;
  stale: boolean;
}

/**
 * `http.idempotency_keys` under the tenant's RLS scope. A pending entry older
 * than `staleAfterSeconds` (its request died) may be taken over.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly staleAfterSeconds = 60,
  ) {}

  begin(scope: IdempotencyScope): Promise<IdempotencyBegin> {
    return withTenant(this.dataSource, scope.tenantId, async (m) => {
      const inserted: unknown[] = await m.query(
        `INSERT INTO http.idempotency_keys (tenant_id, key, fingerprint, state) VALUES ($1, $2, $3, 'pending')
         ON CONFLICT (tenant_id, key) DO NOTHING RETURNING 1`,
        [scope.tenantId, scope.key, scope.fingerprint],
      );
      if (inserted.length > 0) return { state: 'new' };
      const [row] = await m.query<Row[]>(
        `SELECT fingerprint, state, status, body, created_at < now() - make_interval(secs => $3) AS stale
         FROM http.idempotency_keys WHERE tenant_id = $1 AND key = $2 FOR UPDATE`,
        [scope.tenantId, scope.key, this.staleAfterSeconds],
      );
      if (!row) return { state: 'in-progress' };
      if (row.fingerprint !== scope.fingerprint) return { state: 'mismatch' };
      if (row.state === 'done') return { state: 'replay', status: row.status ?? 200, body: row.body };
      if (!row.stale) return { state: 'in-progress' };
      await m.query(`UPDATE http.idempotency_keys SET created_at = now() WHERE tenant_id = $1 AND key = $2`, [scope.tenantId, scope.key]);
      return { state: 'new' };
    });
  }

  async complete(scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    await withTenant(this.dataSource, scope.tenantId, (m) =>
      m.query(`UPDATE http.idempotency_keys SET state = 'done', status = $3, body = $4 WHERE tenant_id = $1 AND key = $2`, [
        scope.tenantId,
        scope.key,
        status,
        JSON.stringify(body ?? null),
      ]),
    );
  }

  async abandon(scope: IdempotencyScope): Promise<void> {
    await withTenant(this.dataSource, scope.tenantId, (m) =>
      m.query(`DELETE FROM http.idempotency_keys WHERE tenant_id = $1 AND key = $2 AND state = 'pending'`, [scope.tenantId, scope.key]),
    );
  }
}
