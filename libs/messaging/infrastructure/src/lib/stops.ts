import type { DataSource } from 'typeorm';
import type { Clock } from '@attest/kernel';
import type { MessagingConsent } from '@attest/messaging-application';
import { uuidv7 } from '@attest/kernel';
import type { Logger } from '@attest/observability';
import type { PostgresMessageLog } from './message-log';

/**
 * A person asked WhatsApp messages to stop (a STOP word, a stop button, a `user_preferences`
 * stop, error 131050): marketing to them is suppressed at once, queued marketing is cancelled,
 * and their consents on `whatsapp` for every purpose a MARKETING template of the tenant is
 * mapped to are withdrawn through the consent context, with the source recorded (K2).
 */
export class StopHandler {
  constructor(
    private readonly owner: DataSource,
    private readonly log: PostgresMessageLog,
    private readonly consent: MessagingConsent,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async stop(tenantId: string, customerId: string, source: string): Promise<{ readonly suppressed: boolean; readonly withdrawn: readonly string[] }> {
    const suppressed = await this.log.suppress(tenantId, customerId, source, this.clock.now());
    try {
      const purposes = await this.owner.query<{ purpose_key: string }[]>(
        `SELECT DISTINCT purpose_key FROM messaging.templates_v1 WHERE tenant_id = $1 AND category = 'MARKETING' AND purpose_key IS NOT NULL ORDER BY purpose_key`,
        [tenantId],
      );
      const context = { tenantId, actor: `system:${source}`, correlationId: uuidv7(), commandId: uuidv7() };
      const withdrawn = await this.consent.withdrawOnWhatsApp(
        context,
        customerId,
        purposes.map((p) => p.purpose_key),
        source,
      );
      return { suppressed, withdrawn };
    } catch (error) {
      // Suppressed already: no marketing leaves; the withdrawal is retried by the next stop signal.
      this.logger.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : undefined, source },
        'a WhatsApp stop could not withdraw consent',
      );
      return { suppressed, withdrawn: [] };
    }
  }
}
