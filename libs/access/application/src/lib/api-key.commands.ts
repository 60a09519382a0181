import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { apiKeyDecider, apiKeyStreamId, permissionsFor, type Permission, type Role } from '@attest/access-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { uuidv7, type Clock } from '@attest/kernel';
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

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKeyCommand, IssuedApiKey> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_MATERIAL) private readonly material: KeyMaterial,
    @Inject(ACCESS_PROJECTOR) private readonly projector: AccessProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: IssueApiKeyCommand): Promise<IssuedApiKey> {
    const now = this.clock.now();
    const keyId = uuidv7(now.getTime());
    const { key, prefix, secretHash } = this.material.generate();
    const expiresAt = new Date(now.getTime() + command.expiresInDays * 86_400_000);
    const streamId = apiKeyStreamId(keyId);
    await handleWithDecider(
      this.store,
      apiKeyDecider,
      streamId,
      {
        kind: 'IssueApiKey',
        keyId,
        tenantId: command.context.tenantId,
        prefix,
        secretHash,
        roles: command.roles,
        label: command.label,
        expiresAt,
        now,
        issuedBy: command.context.actor,
        issuerPermissions: command.issuerPermissions,
      },
      metadataFor(command.context, now),
    );
    await this.projector.projectStream(streamId);
    return { keyId, key, prefix, roles: command.roles, label: command.label, expiresAt: expiresAt.toISOString() };
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
