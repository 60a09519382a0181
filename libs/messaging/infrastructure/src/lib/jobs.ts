import type { DataSource } from 'typeorm';
import type { JobDefinition } from '@attest/jobs';
import { DEFAULT_MESSAGING_SETTINGS } from './message-log';

const FINISHED = `('blocked', 'sent', 'delivered', 'read', 'failed', 'cancelled')`;

/**
 * The message log's retention (issue 24, 8): rows of finished messages (blocked, sent and beyond,
 * failed, cancelled) older than the tenant's `logRetentionDays` are deleted; messages still queued,
 * held, sending or in doubt are kept whatever their age. The statistics hold counts only and stay.
 * The recipient lists of campaigns that have started are deleted too (the log has each recipient).
 */
export function messageLogRetentionJob(deps: { readonly owner: DataSource }): JobDefinition {
  const due = `FROM messaging.messages m
    WHERE m.state IN ${FINISHED}
      AND m.updated_at < $1::timestamptz - make_interval(days => coalesce(
        (SELECT (s.settings->>'logRetentionDays')::int FROM messaging.settings s WHERE s.tenant_id = m.tenant_id), $2))`;
  const drafts = `FROM messaging.campaign_drafts d WHERE EXISTS (SELECT 1 FROM messaging.campaigns_v1 c WHERE c.campaign_id = d.campaign_id AND c.status <> 'draft')`;
  return {
    name: 'whatsapp-log-retention',
    description: `delete WhatsApp message log rows of finished messages older than each tenant's retention (default ${String(DEFAULT_MESSAGING_SETTINGS.logRetentionDays)} days); statistics stay`,
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const count = async (from: string, parameters: unknown[]): Promise<number> => {
        const sql = dryRun ? `SELECT count(*)::int AS n ${from}` : `WITH gone AS (DELETE ${from} RETURNING 1) SELECT count(*)::int AS n FROM gone`;
        const [row] = await deps.owner.query<{ n: number }[]>(sql, parameters);
        return row?.n ?? 0;
      };
      const messages = await count(due, [now, DEFAULT_MESSAGING_SETTINGS.logRetentionDays]);
      const startedDrafts = await count(drafts, []);
      return {
        counts: { messages, startedDrafts },
        ...(dryRun ? { planned: [`would delete ${String(messages)} message log rows and ${String(startedDrafts)} recipient lists of started campaigns`] } : {}),
      };
    },
  };
}
