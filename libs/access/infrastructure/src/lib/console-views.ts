import type { DataSource } from 'typeorm';
import type { ConsoleView, ConsoleViews } from '@attest/access-application';
import { DomainError } from '@attest/kernel';

/** The most views one person keeps. */
export const CONSOLE_VIEW_LIMIT = 50;

/** Saved console views in `access.console_views`, per tenant and actor. */
export class PostgresConsoleViews implements ConsoleViews {
  constructor(private readonly owner: DataSource) {}

  async list(tenantId: string, actor: string): Promise<ConsoleView[]> {
    const rows = await this.owner.query<{ name: string; page: string; search: Record<string, string>; updated_at: Date }[]>(
      `SELECT name, page, search, updated_at FROM access.console_views WHERE tenant_id = $1 AND actor = $2 ORDER BY name`,
      [tenantId, actor],
    );
    return rows.map((r) => ({ name: r.name, page: r.page, search: r.search, updatedAt: r.updated_at.toISOString() }));
  }

  async save(tenantId: string, actor: string, view: Omit<ConsoleView, 'updatedAt'>, now: Date): Promise<ConsoleView> {
    // One statement: a new name is refused past the limit, a known one is replaced.
    const rows = await this.owner.query<{ name: string }[]>(
      `INSERT INTO access.console_views (tenant_id, actor, name, page, search, updated_at)
       SELECT $1, $2, $3, $4, $5, $6
        WHERE EXISTS (SELECT 1 FROM access.console_views WHERE tenant_id = $1 AND actor = $2 AND name = $3)
           OR (SELECT count(*) FROM access.console_views WHERE tenant_id = $1 AND actor = $2) < ${String(CONSOLE_VIEW_LIMIT)}
       ON CONFLICT (tenant_id, actor, name) DO UPDATE SET page = EXCLUDED.page, search = EXCLUDED.search, updated_at = EXCLUDED.updated_at
       RETURNING name`,
      [tenantId, actor, view.name, view.page, JSON.stringify(view.search), now],
    );
    if (rows.length === 0) {
      throw new DomainError('CONSOLE_VIEW.LIMIT_REACHED', `at most ${String(CONSOLE_VIEW_LIMIT)} saved views; remove one first`, 'conflict');
    }
    return { ...view, updatedAt: now.toISOString() };
  }

  async remove(tenantId: string, actor: string, name: string): Promise<boolean> {
    const rows = await this.owner.query<{ name: string }[]>(
      // A SELECT over the DELETE: TypeORM answers a bare DELETE with [rows, count], not the rows.
      `WITH removed AS (DELETE FROM access.console_views WHERE tenant_id = $1 AND actor = $2 AND name = $3 RETURNING name) SELECT name FROM removed`,
      [tenantId, actor, name],
    );
    return rows.length > 0;
  }
}
