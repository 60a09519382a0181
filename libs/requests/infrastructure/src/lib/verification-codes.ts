import { randomInt, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isUuid, uuidv7 } from '@attest/kernel';
import type { Outbox } from '@attest/notifications';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import type { VerificationCodes } from '@attest/requests-application';

/** How long a requester's code is valid. */
export const CODE_TTL_SECONDS = 900;

/**
 * D2: six-digit codes from a CSPRNG, stored only as a keyed hash bound to the
 * challenge (the vault's index key), sent to the requester through the
 * outbox in the same transaction (sealed under the request's own key).
 * Attempts and expiry are enforced by the request's decider.
 */
export class PostgresVerificationCodes implements VerificationCodes {
  constructor(
    private readonly dataSource: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly outbox: Outbox,
  ) {}

  async issue(request: Parameters<VerificationCodes['issue']>[0]): Promise<{ challengeId: string; expiresAt: Date }> {
    const challengeId = uuidv7();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const hash = Buffer.from(await this.privacy.keyedHash('dsr-otp', `${challengeId}:${code}`));
    const expiresAt = new Date(request.now.getTime() + CODE_TTL_SECONDS * 1000);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO requests.challenges (challenge_id, tenant_id, request_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [challengeId, request.tenantId, request.requestId, hash, request.now, expiresAt],
      );
      await this.outbox.enqueue(
        m,
        {
          sourceKey: `dsr-otp:${challengeId}`,
          tenantId: request.tenantId,
          subjectId: request.requestId,
          kind: 'one-time-code',
          payload: {
            to: { email: request.contact.email, phone: request.contact.phone },
            purpose: 'data-subject-request',
            requestId: request.requestId,
            code,
            expiresAt: expiresAt.toISOString(),
          },
        },
        request.now,
      );
    });
    return { challengeId, expiresAt };
  }

  async matches(tenantId: string, requestId: string, challengeId: string, code: string): Promise<boolean> {
    if (!isUuid(challengeId) || !/^[0-9]{6}$/.test(code)) return false;
    const rows = await this.dataSource.query<{ code_hash: Buffer }[]>(
      `SELECT code_hash FROM requests.challenges WHERE challenge_id = $1 AND tenant_id = $2 AND request_id = $3`,
      [challengeId, tenantId, requestId],
    );
    const stored = rows[0]?.code_hash;
    if (!stored) return false;
    const given = Buffer.from(await this.privacy.keyedHash('dsr-otp', `${challengeId}:${code}`));
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
