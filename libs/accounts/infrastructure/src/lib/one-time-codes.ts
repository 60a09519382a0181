import { randomInt, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CodePurpose, IssuedCode, OneTimeCodes, VerifiedCode } from '@attest/accounts-application';
import { DomainError, isUuid, uuidv7, type JsonValue } from '@attest/kernel';
import type { Outbox } from '@attest/notifications';
import { normaliseEmail, normalisePhone, type ReadModelPrivacy } from '@attest/privacy-postgres';

export interface OneTimeCodePolicy {
  /** How long a code is valid. */
  readonly ttlSeconds: number;
  /** Wrong guesses allowed before the challenge is dead. */
  readonly maxAttempts: number;
  /** Codes per address per hour; more is refused (A2: bulk or malicious registration). */
  readonly perAddressPerHour: number;
}

export const DEFAULT_CODE_POLICY: OneTimeCodePolicy = { ttlSeconds: 600, maxAttempts: 5, perAddressPerHour: 3 };

const invalid = (): DomainError => new DomainError('OTP.INVALID', 'the code is not valid', 'invalid');
/** A wrong code says how many tries the code has left, and what to do when none are. */
const wrongCode = (attemptsLeft: number): DomainError =>
  new DomainError(
    'OTP.INVALID',
    attemptsLeft > 0
      ? `the code is not valid; ${String(attemptsLeft)} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left`
      : 'the code is not valid, and no attempts are left; ask for a new code',
    'invalid',
    { attemptsLeft },
  );

/**
 * Six-digit codes from a CSPRNG, stored as HMAC (under the vault's index
 * key, bound to the challenge id) — a stolen table does not give codes away,
 * and six digits cannot be brute-forced offline without the key. The code
 * leaves through the outbox in the same transaction as its challenge.
 */
export class PostgresOneTimeCodes implements OneTimeCodes {
  constructor(
    private readonly dataSource: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly outbox: Outbox,
    private readonly policy: OneTimeCodePolicy = DEFAULT_CODE_POLICY,
  ) {}

  async issue(request: Parameters<OneTimeCodes['issue']>[0]): Promise<IssuedCode> {
    const { phone, email } = request.target;
    const address = phone ? `phone:${normalisePhone(phone)}` : email ? `email:${normaliseEmail(email)}` : null;
    if (!address) throw new DomainError('OTP.NO_ADDRESS', 'there is no address to send a code to', 'invalid');
    const targetToken = await this.privacy.keyedHash('otp-target', address);
    const challengeId = uuidv7();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const codeHash = await this.privacy.keyedHash('otp', `${challengeId}:${code}`);
    const expiresAt = new Date(request.now.getTime() + this.policy.ttlSeconds * 1000);
    const target = await this.privacy.seal(request.accountId, { table: 'accounts.otp_challenges', column: 'target', row: challengeId }, { phone, email });
    await this.dataSource.transaction(async (m) => {
      // Serialise issuing per address so the hourly limit holds under concurrent requests.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [targetToken]);
      // Challenges older than a day serve no limit and no login any more.
      await m.query(`DELETE FROM accounts.otp_challenges WHERE created_at < $1`, [new Date(request.now.getTime() - 86_400_000)]);
      const [recent] = await m.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM accounts.otp_challenges WHERE target_token = $1 AND created_at > $2`, [
        targetToken,
        new Date(request.now.getTime() - 3_600_000),
      ]);
      if ((recent?.n ?? 0) >= this.policy.perAddressPerHour) {
        throw new DomainError('OTP.TOO_MANY_CODES', 'too many codes were sent to this address; try again later', 'rate_limited', { retryAfterSeconds: 3600 });
      }
      await m.query(
        `INSERT INTO accounts.otp_challenges (challenge_id, purpose, account_id, tenant_id, target, target_token, code_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [challengeId, request.purpose, request.accountId, request.tenantId, JSON.stringify(target), targetToken, codeHash, request.now, expiresAt],
      );
      await this.outbox.enqueue(
        m,
        {
          sourceKey: `otp:${challengeId}`,
          tenantId: request.tenantId,
          subjectId: request.accountId,
          kind: 'one-time-code',
          payload: { to: { phone, email }, purpose: request.purpose, code, expiresAt: expiresAt.toISOString() },
        },
        request.now,
      );
    });
    return { challengeId, expiresAt };
  }

  async verify(request: { purpose: CodePurpose; challengeId: string; code: string; now: Date }): Promise<VerifiedCode> {
    if (!isUuid(request.challengeId) || !/^[0-9]{6}$/.test(request.code)) throw invalid();
    const expected = Buffer.from(await this.privacy.keyedHash('otp', `${request.challengeId}:${request.code}`));
    return this.dataSource
      .transaction(async (m): Promise<VerifiedCode | { wrong: true; attemptsLeft: number }> => {
        const [row] = await m.query<
          {
            purpose: string;
            account_id: string;
            tenant_id: string;
            target: JsonValue;
            code_hash: string;
            attempts: number;
            expires_at: Date;
            consumed_at: Date | null;
          }[]
        >(
          `SELECT purpose, account_id, tenant_id, target, code_hash, attempts, expires_at, consumed_at FROM accounts.otp_challenges WHERE challenge_id = $1 FOR UPDATE`,
          [request.challengeId],
        );
        if (row?.purpose !== request.purpose) throw invalid();
        if (row.consumed_at) throw new DomainError('OTP.ALREADY_USED', 'this code was already used', 'conflict');
        if (row.expires_at.getTime() <= request.now.getTime()) throw new DomainError('OTP.EXPIRED', 'the code has expired; ask for a new one', 'invalid');
        if (row.attempts >= this.policy.maxAttempts) throw new DomainError('OTP.TOO_MANY_ATTEMPTS', 'too many wrong codes; ask for a new one', 'conflict');
        const stored = Buffer.from(row.code_hash);
        if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) {
          // The failed attempt must count even though the request fails: update, then throw after commit.
          await m.query(`UPDATE accounts.otp_challenges SET attempts = attempts + 1 WHERE challenge_id = $1`, [request.challengeId]);
          return { wrong: true as const, attemptsLeft: Math.max(0, this.policy.maxAttempts - row.attempts - 1) };
        }
        await m.query(`UPDATE accounts.otp_challenges SET consumed_at = $2 WHERE challenge_id = $1`, [request.challengeId, request.now]);
        const target = await this.privacy.open(row.account_id, { table: 'accounts.otp_challenges', column: 'target', row: request.challengeId }, row.target);
        const t = (typeof target === 'object' && target !== null && !Array.isArray(target) ? target : {}) as { phone?: unknown; email?: unknown };
        return {
          accountId: row.account_id,
          tenantId: row.tenant_id,
          target: { phone: typeof t.phone === 'string' ? t.phone : null, email: typeof t.email === 'string' ? t.email : null },
        };
      })
      .then((verified) => {
        if ('wrong' in verified) throw wrongCode(verified.attemptsLeft);
        return verified;
      });
  }
}
