import type { DataSource, EntityManager } from 'typeorm';
import { API_KEY_EVENT_TYPES, DELEGATION_EVENT_TYPES, type ApiKeyEvent, type DelegationEvent, type Permission } from '@attest/access-domain';
import { eventOf, type EventStore, type RecordedEvent } from '@attest/event-store';
import { InlineProjector, type Projection } from '@attest/projections';
import type { AccessProjector } from '@attest/access-application';

const API_KEY_TYPES: readonly string[] = API_KEY_EVENT_TYPES;
const DELEGATION_TYPES = ['PermissionsDelegated.v1', 'DelegatedPermissionsRevoked.v1'];

interface DelegationRow {
  readonly permissions: readonly Permission[];
  readonly lastPosition: string;
}

/** Pure: one delegation event folded into a user's row; an event already applied changes nothing. */
export function evolveDelegation(row: DelegationRow | undefined, event: RecordedEvent): DelegationRow {
  if (row && event.globalPosition <= row.lastPosition) return row;
  const e = eventOf<DelegationEvent>(event, DELEGATION_EVENT_TYPES);
  if (!e) return row ?? { permissions: [], lastPosition: event.globalPosition };
  const held = new Set(row?.permissions ?? []);
  if (e.type === 'PermissionsDelegated.v1') for (const p of e.data.permissions) held.add(p);
  else for (const p of e.data.permissions) held.delete(p);
  return { permissions: [...held].sort(), lastPosition: event.globalPosition };
}

async function applyApiKeyEvent(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<ApiKeyEvent>(event, API_KEY_EVENT_TYPES);
  if (!e) return;
  if (e.type === 'ApiKeyIssued.v1') {
    // The worker and the command's inline projection may insert the same key at once; ON CONFLICT
    // covers only key_id, so a concurrent twin would trip the prefix index. Serialise per key.
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`api-key:${e.data.keyId}`]);
    await m.query(
      `INSERT INTO access.api_keys_v1 (key_id, tenant_id, prefix, secret_hash, roles, label, issued_by, issued_at, expires_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (key_id) DO NOTHING`,
      [
        e.data.keyId,
        e.data.tenantId,
        e.data.prefix,
        e.data.secretHash,
        e.data.roles,
        e.data.label,
        e.data.issuedBy,
        event.metadata.occurredAt,
        e.data.expiresAt,
        event.globalPosition,
      ],
    );
  } else if (e.type === 'ApiKeyRotated.v1') {
    // The old key's life only ever shortens (the decider takes the earlier of grace end and expiry).
    await m.query(
      `UPDATE access.api_keys_v1 SET replaced_by = $2, expires_at = LEAST(expires_at, $3::timestamptz), last_position = $4 WHERE key_id = $1 AND last_position < $4`,
      [e.data.keyId, e.data.replacedBy, e.data.expiresAt, event.globalPosition],
    );
  } else {
    await m.query(`UPDATE access.api_keys_v1 SET revoked_at = $2, last_position = $3 WHERE key_id = $1 AND last_position < $3`, [
      e.data.keyId,
      event.metadata.occurredAt,
      event.globalPosition,
    ]);
  }
}

async function applyDelegationEvent(m: EntityManager, event: RecordedEvent): Promise<void> {
  const { tenantId, userId } = event.data as { tenantId: string; userId: string };
  const rows: { permissions: Permission[]; last_position: string }[] = await m.query(
    `SELECT permissions, last_position FROM access.delegations_v1 WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE`,
    [tenantId, userId],
  );
  const current = rows[0] ? { permissions: rows[0].permissions, lastPosition: rows[0].last_position } : undefined;
  const next = evolveDelegation(current, event);
  if (next === current) return;
  await m.query(
    `INSERT INTO access.delegations_v1 (tenant_id, user_id, permissions, updated_at, last_position) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, user_id) DO UPDATE SET permissions = EXCLUDED.permissions, updated_at = EXCLUDED.updated_at, last_position = EXCLUDED.last_position`,
    [tenantId, userId, next.permissions, event.metadata.occurredAt, next.lastPosition],
  );
}

/** API keys and delegations, by tenant. Idempotent per row. */
export const accessProjection: Projection = {
  name: 'access',
  version: 1,
  filter: { eventTypes: [...API_KEY_TYPES, ...DELEGATION_TYPES] },
  async apply(events, manager) {
    for (const event of events) {
      if (API_KEY_TYPES.includes(event.type)) await applyApiKeyEvent(manager, event);
      else if (DELEGATION_TYPES.includes(event.type)) await applyDelegationEvent(manager, event);
    }
  },
  async reset(manager) {
    await manager.query(`TRUNCATE access.api_keys_v1, access.delegations_v1`);
  },
};

/**
 * Applies a stream's new events at once, in the owner's transaction, so a
 * command's effect (a revoked key) holds for the next request. The workers
 * apply the same events again later; the projection is idempotent.
 */
export class PostgresAccessProjector implements AccessProjector {
  private readonly inline: InlineProjector;

  constructor(
    ownerDataSource: DataSource,
    store: EventStore,
    /** This process's kept key rows: dropped after a revocation commits, before the command answers. */
    private readonly keyCache: { forgetAll(): void } | null = null,
  ) {
    this.inline = new InlineProjector(ownerDataSource, store, [accessProjection]);
  }

  async projectStream(streamId: string): Promise<void> {
    // In stream order under the stream's inline position (see InlineProjector).
    const applied = await this.inline.projectStream(streamId);
    // Nothing applied: a concurrent call applied this command's events (a revocation among them, maybe)
    // and may not have dropped the rows yet; dropping them again costs one lookup per key.
    if (applied.length === 0 || applied.some((e) => e.type === 'ApiKeyRevoked.v1' || e.type === 'ApiKeyRotated.v1')) this.keyCache?.forgetAll();
  }
}
