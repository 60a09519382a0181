import type { DataSource } from 'typeorm';
import { DomainError, type JsonValue } from '@attest/kernel';
import type { MessagingNumbers, NumberConnection, NumberSecrets, NumberSettings, NumberView } from '@attest/messaging-application';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';

/** The key the secrets of a bound number are sealed under (ADR 0015, 4): destroyed when the number is removed. */
export const numberSubject = (bindingId: string): string => `whatsapp-number:${bindingId}`;
const column = (bindingId: string) => ({ table: 'messaging.numbers_v1', column: 'secrets', row: bindingId });

interface Row {
  binding_id: string;
  tenant_id: string;
  base_url: string;
  api_version: string;
  phone_number_id: string;
  business_account_id: string;
  rate_per_second: number;
  configured_at: Date;
  configured_by: string;
}

const toView = (r: Row): NumberView => ({
  bindingId: r.binding_id,
  tenantId: r.tenant_id,
  baseUrl: r.base_url,
  version: r.api_version,
  phoneNumberId: r.phone_number_id,
  businessAccountId: r.business_account_id,
  ratePerSecond: r.rate_per_second,
  configuredAt: r.configured_at,
  configuredBy: r.configured_by,
});

const COLUMNS = 'binding_id, tenant_id, base_url, api_version, phone_number_id, business_account_id, rate_per_second, configured_at, configured_by';
const isSecrets = (v: unknown): v is NumberSecrets =>
  typeof v === 'object' && v !== null && ['accessToken', 'appSecret', 'verifyToken'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** Cloud API settings of bound numbers (`messaging.numbers_v1`, owner connection); secrets sealed, opened in memory only. */
export class PostgresMessagingNumbers implements MessagingNumbers {
  constructor(
    private readonly owner: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly vault: PostgresKeyVault,
  ) {}

  async configure(
    tenantId: string,
    bindingId: string,
    settings: NumberSettings,
    secrets: Partial<NumberSecrets>,
    actor: string,
    at: Date,
  ): Promise<NumberView> {
    const existing = await this.connection(bindingId);
    if (existing && existing.tenantId !== tenantId) throw new DomainError('WHATSAPP.BINDING_NOT_FOUND', 'no such number of your organization', 'not_found');
    const merged = {
      accessToken: secrets.accessToken ?? existing?.accessToken,
      appSecret: secrets.appSecret ?? existing?.appSecret,
      verifyToken: secrets.verifyToken ?? existing?.verifyToken,
    };
    if (!isSecrets(merged)) {
      throw new DomainError(
        'WHATSAPP.SECRETS_REQUIRED',
        'a number configured for the first time needs its access token, app secret and webhook verify token',
        'invalid',
      );
    }
    const sealed = await this.privacy.seal(numberSubject(bindingId), column(bindingId), merged as unknown as JsonValue);
    try {
      const [row] = await this.owner.query<Row[]>(
        `WITH written AS (
           INSERT INTO messaging.numbers_v1 (${COLUMNS}, secrets) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (binding_id) DO UPDATE SET base_url = EXCLUDED.base_url, api_version = EXCLUDED.api_version, phone_number_id = EXCLUDED.phone_number_id,
             business_account_id = EXCLUDED.business_account_id, rate_per_second = EXCLUDED.rate_per_second, secrets = EXCLUDED.secrets,
             configured_at = EXCLUDED.configured_at, configured_by = EXCLUDED.configured_by
           RETURNING ${COLUMNS}) SELECT * FROM written`,
        [
          bindingId,
          tenantId,
          settings.baseUrl,
          settings.version,
          settings.phoneNumberId,
          settings.businessAccountId,
          settings.ratePerSecond,
          at,
          actor,
          JSON.stringify(sealed),
        ],
      );
      if (!row) throw new Error('the number was not written');
      return toView(row);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new DomainError('WHATSAPP.PHONE_NUMBER_ID_TAKEN', 'another bound number has this phone number id', 'conflict');
      throw error;
    }
  }

  async view(tenantId: string, bindingId: string): Promise<NumberView | null> {
    const [row] = await this.owner.query<Row[]>(`SELECT ${COLUMNS} FROM messaging.numbers_v1 WHERE tenant_id = $1 AND binding_id::text = $2`, [
      tenantId,
      bindingId,
    ]);
    return row ? toView(row) : null;
  }

  async list(tenantId: string): Promise<NumberView[]> {
    const rows = await this.owner.query<Row[]>(`SELECT ${COLUMNS} FROM messaging.numbers_v1 WHERE tenant_id = $1 ORDER BY configured_at`, [tenantId]);
    return rows.map(toView);
  }

  /** Every configured number's binding id (the dispatcher's work list). */
  async all(): Promise<string[]> {
    const rows = await this.owner.query<{ binding_id: string }[]>(`SELECT binding_id FROM messaging.numbers_v1 ORDER BY binding_id`);
    return rows.map((r) => r.binding_id);
  }

  async connection(bindingId: string): Promise<NumberConnection | null> {
    const [row] = await this.owner.query<(Row & { secrets: JsonValue })[]>(`SELECT ${COLUMNS}, secrets FROM messaging.numbers_v1 WHERE binding_id::text = $1`, [
      bindingId,
    ]);
    if (!row) return null;
    const secrets = await this.privacy.open(numberSubject(row.binding_id), column(row.binding_id), row.secrets);
    if (!isSecrets(secrets)) return null;
    return { ...toView(row), accessToken: secrets.accessToken, appSecret: secrets.appSecret, verifyToken: secrets.verifyToken };
  }

  async remove(tenantId: string, bindingId: string): Promise<boolean> {
    const rows = await this.owner.query<{ binding_id: string }[]>(
      `WITH removed AS (DELETE FROM messaging.numbers_v1 WHERE tenant_id = $1 AND binding_id::text = $2 RETURNING binding_id) SELECT binding_id FROM removed`,
      [tenantId, bindingId],
    );
    if (rows.length === 0) return false;
    await this.vault.erase(numberSubject(bindingId), 'whatsapp number removed');
    return true;
  }
}
