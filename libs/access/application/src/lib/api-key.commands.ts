import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { API_KEY_MAX_DAYS, apiKeyDecider, apiKeyStreamId, permissionsFor, type Permission, type Role } from '@attest/access-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import { metadataFor, type CommandContext } from '@attest/security';
import { ACCESS_PROJECTOR, ACCESS_READ_MODEL, CLOCK, KEY_MATERIAL, type AccessProjector, type AccessReadModel, type KeyMaterial } from './ports';

export interface IssuedApiKey {
  readonly keyId: string;
  /** The whole key. Shown once: only its hash is kept. */
  readonly key: string;
  readonly prefix: string;
  readonly roles: readonly Role[];
  readonly label: string;
  readonly expiresAt: string;
}

export class IssueApiKeyCommand extends Command<IssuedApiKey> {
  constructor(
    readonly context: CommandContext,
    readonly roles: readonly Role[],
    readonly label: string,
    readonly expiresInDays: number,
    readonly issuerPermissions: ReadonlySet<Permission>,
  ) {
    super();
  }
}

export class RevokeApiKeyCommand extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly keyId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/**
 * Replaces a key by a new one with the same roles and label: the new key is issued (its secret in
 * this answer only), then the old one works on for `graceHours` (0 revokes it at once) so the
 * systems using it can move. The two keys live on two streams: if recording the rotation fails
 * after the new key was issued, the new key is revoked again and the old one is left as it was.
 */
export class RotateApiKeyCommand extends Command<IssuedApiKey & { readonly replaces: string; readonly replacedKeyExpiresAt: string }> {
  constructor(
    readonly context: CommandContext,
    readonly keyId: string,
    readonly graceHours: number,
    /** Days the new key lives; by default as long as the old one was issued for. */
    readonly expiresInDays: number | null,
    readonly issuerPermissions: ReadonlySet<Permission>,
  ) {
    super();
  }
}

/** Issues a key on its own stream and projects it; the secret is returned once. */
async function issueKey(
  deps: { readonly store: EventStore; readonly material: KeyMaterial; readonly projector: AccessProjector },
  context: CommandContext,
  key: { readonly roles: readonly Role[]; readonly label: string; readonly expiresInDays: number; readonly issuerPermissions: ReadonlySet<Permission> },
  now: Date,
): Promise<IssuedApiKey> {
  const keyId = uuidv7(now.getTime());
  const { key: secret, prefix, secretHash } = deps.material.generate();
  const expiresAt = new Date(now.getTime() + key.expiresInDays * 86_400_000);
  const streamId = apiKeyStreamId(keyId);
  await handleWithDecider(
    deps.store,
    apiKeyDecider,
    streamId,
    {
      kind: 'IssueApiKey',
      keyId,
      tenantId: context.tenantId,
      prefix,
      secretHash,
      roles: key.roles,
      label: key.label,
      expiresAt,
      now,
      issuedBy: context.actor,
      issuerPermissions: key.issuerPermissions,
    },
    metadataFor(context, now),
  );
  await deps.projector.projectStream(streamId);
  return { keyId, key: secret, prefix, roles: key.roles, label: key.label, expiresAt: expiresAt.toISOString() };
}

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKeyCommand, IssuedApiKey> {
  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(KEY_MATERIAL) readonly material: KeyMaterial,
    @Inject(ACCESS_PROJECTOR) readonly projector: AccessProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: IssueApiKeyCommand): Promise<IssuedApiKey> {
    return issueKey(this, command.context, command, this.clock.now());
  }
}

@CommandHandler(RotateApiKeyCommand)
export class RotateApiKeyHandler implements ICommandHandler<RotateApiKeyCommand> {
  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(KEY_MATERIAL) readonly material: KeyMaterial,
    @Inject(ACCESS_PROJECTOR) readonly projector: AccessProjector,
    @Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RotateApiKeyCommand): Promise<IssuedApiKey & { readonly replaces: string; readonly replacedKeyExpiresAt: string }> {
    const now = this.clock.now();
    const old = await this.readModel.getApiKey(command.context.tenantId, command.keyId);
    if (!old) throw new DomainError('API_KEY.NOT_FOUND', 'no such API key', 'not_found');
    // Refused before a new key exists (the decider checks again on the old key's stream).
    if (old.revokedAt !== null) throw new DomainError('API_KEY.ALREADY_REVOKED', 'the API key is already revoked', 'conflict');
    if (old.replacedBy !== null) throw new DomainError('API_KEY.ALREADY_ROTATED', `the API key was already replaced by ${old.replacedBy}`, 'conflict');
    if (old.expiresAt.getTime() <= now.getTime()) throw new DomainError('API_KEY.EXPIRED', 'the API key has expired; issue a new one', 'conflict');
    const issuedFor = Math.ceil((old.expiresAt.getTime() - old.issuedAt.getTime()) / 86_400_000);
    const expiresInDays = command.expiresInDays ?? Math.min(Math.max(issuedFor, 1), API_KEY_MAX_DAYS);
    const issued = await issueKey(
      this,
      command.context,
      { roles: old.roles, label: old.label, expiresInDays, issuerPermissions: command.issuerPermissions },
      now,
    );
    const streamId = apiKeyStreamId(command.keyId);
    let replacedKeyExpiresAt: string;
    try {
      const { events } = await handleWithDecider(
        this.store,
        apiKeyDecider,
        streamId,
        {
          kind: 'RotateApiKey',
          keyId: command.keyId,
          tenantId: command.context.tenantId,
          replacedBy: issued.keyId,
          graceHours: command.graceHours,
          now,
          rotatedBy: command.context.actor,
        },
        metadataFor(command.context, now),
      );
      // The decider says until when the old key works (the earlier of the grace's end and its expiry).
      const rotated = events.find((e) => e.type === 'ApiKeyRotated.v1');
      if (rotated?.type !== 'ApiKeyRotated.v1') throw new Error('a rotation recorded no ApiKeyRotated.v1');
      replacedKeyExpiresAt = rotated.data.expiresAt;
    } catch (error) {
      // Nothing half-done: the replacement nobody received goes again; the old key is unchanged.
      const newStream = apiKeyStreamId(issued.keyId);
      await handleWithDecider(
        this.store,
        apiKeyDecider,
        newStream,
        { kind: 'RevokeApiKey', keyId: issued.keyId, tenantId: command.context.tenantId, reason: 'rotation-failed', revokedBy: command.context.actor },
        metadataFor(command.context, now),
      );
      await this.projector.projectStream(newStream);
      throw error;
    }
    await this.projector.projectStream(streamId);
    return { ...issued, replaces: command.keyId, replacedKeyExpiresAt };
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, void> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_PROJECTOR) private readonly projector: AccessProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RevokeApiKeyCommand): Promise<void> {
    const streamId = apiKeyStreamId(command.keyId);
    await handleWithDecider(
      this.store,
      apiKeyDecider,
      streamId,
      { kind: 'RevokeApiKey', keyId: command.keyId, tenantId: command.context.tenantId, reason: command.reason, revokedBy: command.context.actor },
      metadataFor(command.context, this.clock.now()),
    );
    // Revocation must hold on the very next request: update the read model before answering.
    await this.projector.projectStream(streamId);
  }
}

/** Why an issuer's keys stop working (recorded as the revocation reason of each). */
export type IssuerChange = 'issuer-unbound' | 'issuer-suspended' | 'issuer-revoked' | 'issuer-cancelled' | 'issuer-lost-permission';

/**
 * The keys a person issued stop working when the person does (unbound,
 * suspended, revoked, cancelled) or loses a permission the keys
 * carry: each is revoked, an ApiKeyRevoked.v1 event each with the reason.
 * With `lost`, only keys whose roles carry one of those permissions go (all of
 * them when the lost permission is api-keys:manage itself). Answers the key ids revoked.
 */
export class RevokeKeysOfIssuerCommand extends Command<string[]> {
  constructor(
    readonly context: CommandContext,
    /** The issuer as recorded on the keys: `user:<account id>`. */
    readonly issuer: string,
    readonly reason: IssuerChange,
    readonly lost: readonly Permission[] = [],
  ) {
    super();
  }
}

@CommandHandler(RevokeKeysOfIssuerCommand)
export class RevokeKeysOfIssuerHandler implements ICommandHandler<RevokeKeysOfIssuerCommand, string[]> {
  constructor(
    @Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_PROJECTOR) private readonly projector: AccessProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RevokeKeysOfIssuerCommand): Promise<string[]> {
    const keys = await this.readModel.activeKeysIssuedBy(command.context.tenantId, command.issuer);
    const lost = new Set(command.lost);
    const affected = lost.size === 0 || lost.has('api-keys:manage') ? keys : keys.filter((k) => [...permissionsFor(k.roles)].some((p) => lost.has(p)));
    const revoked: string[] = [];
    for (const key of affected) {
      const streamId = apiKeyStreamId(key.keyId);
      const result = await handleWithDecider(
        this.store,
        apiKeyDecider,
        streamId,
        { kind: 'RevokeApiKey', keyId: key.keyId, tenantId: command.context.tenantId, reason: command.reason, revokedBy: command.context.actor },
        metadataFor(command.context, this.clock.now()),
      ).catch((error: unknown) => {
        // Revoked meanwhile by someone else (or by an earlier try of this command): that is the outcome wanted.
        const code = (error as { code?: unknown }).code;
        if (code === 'API_KEY.ALREADY_REVOKED' || code === 'EVENT_STORE.WRONG_EXPECTED_REVISION') return null;
        throw error;
      });
      // Projected in every case: an earlier try may have recorded the revocation and failed before projecting it.
      await this.projector.projectStream(streamId);
      if (result) revoked.push(key.keyId);
    }
    return revoked;
  }
}
