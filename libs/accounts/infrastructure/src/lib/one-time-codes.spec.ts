import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { uuidv7 } from '@attest/kernel';
import { notificationMigrations, Outbox } from '@attest/notifications';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { accountsMigrations } from './migrations';
import { PostgresOneTimeCodes } from './one-time-codes';

describe('one-time codes (A2, A7; real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let codes: PostgresOneTimeCodes;
  const now = new Date('2026-11-22T10:00:00.000Z');

  beforeAll(async () => {
    db = await createTestDatabase('one_time_codes', {
      migrations: [...platformMigrations, ...keyVaultMigrations, ...notificationMigrations, ...accountsMigrations],
    });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    const privacy = new ReadModelPrivacy(vault);
    codes = new PostgresOneTimeCodes(ds, privacy, new Outbox(privacy), { ttlSeconds: 600, maxAttempts: 3, perAddressPerHour: 10 });
  });

  afterAll(async () => {
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const issue = (phone: string) => codes.issue({ purpose: 'registration', accountId: uuidv7(), tenantId: 't', target: { phone, email: null }, now });
  const sentCode = async (challengeId: string): Promise<string> => {
    const [row] = await ds.query<{ id: string; subject_id: string; payload: never }[]>(
      `SELECT id, subject_id, payload FROM notifications.outbox WHERE source_key = $1`,
      [`otp:${challengeId}`],
    );
    const payload = row ? await new Outbox(new ReadModelPrivacy(vault)).open(row.id, row.subject_id, row.payload) : null;
    const code = payload?.['code'];
    return typeof code === 'string' ? code : '';
  };

  it('stores neither the code nor the phone number, only keyed hashes and sealed values', async () => {
    const phone = '+8613912345678';
    const { challengeId } = await issue(phone);
    const code = await sentCode(challengeId);
    expect(code).toMatch(/^[0-9]{6}$/);
    const [row] = await ds.query<Record<string, unknown>[]>(`SELECT * FROM accounts.otp_challenges WHERE challenge_id = $1`, [challengeId]);
    expect(JSON.stringify(row)).not.toContain(phone);
    expect(JSON.stringify(row)).not.toContain(`"${code}"`);
  });

  it('expires after its time to live', async () => {
    const { challengeId } = await issue('+8613912345679');
    const code = await sentCode(challengeId);
    await expect(codes.verify({ purpose: 'registration', challengeId, code, now: new Date(now.getTime() + 601_000) })).rejects.toMatchObject({
      code: 'OTP.EXPIRED',
    });
  });

  it('dies after too many wrong guesses, even for the right code afterwards', async () => {
    const { challengeId } = await issue('+8613912345680');
    const code = await sentCode(challengeId);
    const wrong = code === '111111' ? '222222' : '111111';
    for (const attemptsLeft of [2, 1, 0]) {
      await expect(codes.verify({ purpose: 'registration', challengeId, code: wrong, now })).rejects.toMatchObject({
        code: 'OTP.INVALID',
        details: { attemptsLeft },
      });
    }
    await expect(codes.verify({ purpose: 'registration', challengeId, code, now })).rejects.toMatchObject({ code: 'OTP.TOO_MANY_ATTEMPTS' });
  });

  it('is bound to its purpose and used once', async () => {
    const { challengeId } = await issue('+8613912345681');
    const code = await sentCode(challengeId);
    await expect(codes.verify({ purpose: 'reactivation', challengeId, code, now })).rejects.toMatchObject({ code: 'OTP.INVALID' });
    await expect(codes.verify({ purpose: 'registration', challengeId, code, now })).resolves.toMatchObject({ target: { phone: '+8613912345681' } });
    await expect(codes.verify({ purpose: 'registration', challengeId, code, now })).rejects.toMatchObject({ code: 'OTP.ALREADY_USED' });
  });
});
