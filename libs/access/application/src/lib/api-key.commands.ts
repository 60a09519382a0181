import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { apiKeyDecider, apiKeyStreamId, type Permission, type Role } from '@attest/access-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { uuidv7, type Clock } from '@attest/kernel';
import { metadataFor, type CommandContext } from '@attest/security';
import { ACCESS_PROJECTOR, CLOCK, KEY_MATERIAL, type AccessProjector, type KeyMaterial } from './ports';

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
