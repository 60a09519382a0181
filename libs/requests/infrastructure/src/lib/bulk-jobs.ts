import type { DataSource } from 'typeorm';
import type { BulkAction, BulkItemResult, BulkJobItem, BulkJobs, BulkJobView } from '@attest/requests-application';

interface JobRow {
  job_id: string;
  action: BulkAction;
  filter: Record<string, unknown>;
  excluded: string[];
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
  total: number;
  done: number;
  failed: number;
}

/** Failures listed on a job (the counts cover every one). */
const FAILURES_SHOWN = 1_000;

/** D2 bulk jobs in `requests.bulk_jobs` / `bulk_job_items`, written by the owner role; read per tenant. */
export class PostgresBulkJobs implements BulkJobs {
  constructor(private readonly owner: DataSource) {}

  async create(job: Parameters<BulkJobs['create']>[0]): Promise<void> {
    await this.owner.transaction(async (m) => {
      await m.query(
        `INSERT INTO requests.bulk_jobs (job_id, tenant_id, action, filter, excluded, created_by, created_at) VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7)`,
        [job.jobId, job.tenantId, JSON.stringify(job.action), JSON.stringify(job.filter), job.excluded, job.createdBy, job.createdAt],
      );
      await m.query(`INSERT INTO requests.bulk_job_items (job_id, request_id) SELECT $1, unnest($2::uuid[])`, [job.jobId, job.requestIds]);
    });
  }

  async claim(limit: number, now: Date, staleBefore: Date): Promise<BulkJobItem[]> {
    const rows = await this.owner.query<{ job_id: string; request_id: string; tenant_id: string; action: BulkAction; created_by: string; retried: boolean }[]>(
      `WITH picked AS (
         SELECT c.job_id, c.request_id, c.state = 'running' AS retried FROM requests.bulk_job_items c
          WHERE c.state = 'pending' OR (c.state = 'running' AND c.claimed_at < $3)
          ORDER BY c.job_id, c.request_id LIMIT $1 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE requests.bulk_job_items i SET state = 'running', claimed_at = $2
           FROM picked p WHERE i.job_id = p.job_id AND i.request_id = p.request_id
         RETURNING i.job_id, i.request_id, p.retried)
       SELECT c.job_id, c.request_id, c.retried, j.tenant_id, j.action, j.created_by
         FROM claimed c JOIN requests.bulk_jobs j ON j.job_id = c.job_id`,
      [limit, now, staleBefore],
    );
    return rows.map((r) => ({
      jobId: r.job_id,
      requestId: r.request_id,
      tenantId: r.tenant_id,
      action: r.action,
      createdBy: r.created_by,
      retried: r.retried,
    }));
  }

  async finish(results: readonly BulkItemResult[], now: Date): Promise<void> {
    if (results.length === 0) return;
    await this.owner.transaction(async (m) => {
      // The item's effect (an event) is durable already; losing this mark to a crash only makes the item be claimed again and found done.
      await m.query(`SET LOCAL synchronous_commit = off`);
      await m.query(
        `UPDATE requests.bulk_job_items i SET state = r.state, finished_at = $6, code = r.code, message = r.message
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS r(job_id, request_id, state, code, message)
          WHERE i.job_id = r.job_id AND i.request_id = r.request_id AND i.state = 'running'`,
        [
          results.map((r) => r.item.jobId),
          results.map((r) => r.item.requestId),
          results.map((r) => (r.result.ok ? 'done' : 'failed')),
          results.map((r) => (r.result.ok ? null : r.result.code)),
          results.map((r) => (r.result.ok ? null : r.result.message)),
          now,
        ],
      );
    });
  }

  async get(tenantId: string, jobId: string): Promise<BulkJobView | null> {
    const [job] = await this.jobs(tenantId, `AND j.job_id = $2`, [jobId]);
    if (!job) return null;
    const failures = await this.owner.query<{ request_id: string; code: string; message: string }[]>(
      `SELECT request_id, code, message FROM requests.bulk_job_items WHERE job_id = $1 AND state = 'failed' ORDER BY request_id LIMIT ${String(FAILURES_SHOWN)}`,
      [jobId],
    );
    return { ...job, failures: failures.map((f) => ({ requestId: f.request_id, code: f.code, message: f.message })) };
  }

  async list(tenantId: string, limit: number): Promise<BulkJobView[]> {
    return this.jobs(tenantId, `ORDER BY j.created_at DESC, j.job_id DESC LIMIT $2`, [limit]);
  }

  private async jobs(tenantId: string, rest: string, params: readonly unknown[]): Promise<BulkJobView[]> {
    const rows = await this.owner.query<JobRow[]>(
      // Finished: no item left to carry out; when the last one was.
      `SELECT j.job_id, j.action, j.filter, j.excluded::text[] AS excluded, j.created_by, j.created_at,
              CASE WHEN NOT EXISTS (SELECT 1 FROM requests.bulk_job_items i WHERE i.job_id = j.job_id AND i.state IN ('pending', 'running'))
                   THEN (SELECT max(i.finished_at) FROM requests.bulk_job_items i WHERE i.job_id = j.job_id) END AS finished_at,
              (SELECT count(*)::int FROM requests.bulk_job_items i WHERE i.job_id = j.job_id) AS total,
              (SELECT count(*)::int FROM requests.bulk_job_items i WHERE i.job_id = j.job_id AND i.state = 'done') AS done,
              (SELECT count(*)::int FROM requests.bulk_job_items i WHERE i.job_id = j.job_id AND i.state = 'failed') AS failed
         FROM requests.bulk_jobs j WHERE j.tenant_id = $1 ${rest}`,
      [tenantId, ...params],
    );
    return rows.map((r) => ({
      jobId: r.job_id,
      action: r.action,
      filter: r.filter,
      excluded: r.excluded,
      createdBy: r.created_by,
      createdAt: r.created_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
      total: r.total,
      done: r.done,
      failed: r.failed,
      pending: r.total - r.done - r.failed,
      failures: [],
    }));
  }
}
