import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MasterKeyError } from '@attest/privacy';

/** The key-encryption key; `id` names it in wrapped keys without revealing it. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export function parseMasterKey(base64: string): MasterKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new MasterKeyError('ATTEST_MASTER_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  }
  return { id: createHash('sha256').update('attest-kek:').update(key).digest('hex').slice(0, 16), key };
}

/**
 * ATTEST_MASTER_KEY when set; else (embedded default only) `<dataDir>/master-key`,
 * generated on first start with mode 0600. Production must set the variable.
 */
export async function loadMasterKey(options: { readonly fromEnv: string | null; readonly dataDir: string | null }): Promise<MasterKey> {
  if (options.fromEnv) return parseMasterKey(options.fromEnv);
  if (!options.dataDir) throw new MasterKeyError('ATTEST_MASTER_KEY is required when DATABASE_URL is set');
  const file = join(resolve(options.dataDir), 'master-key');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) return parseMasterKey(existing);
  const created = randomBytes(32).toString('base64');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, created, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    // Another process created it first: use theirs.
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  });
  return parseMasterKey(await readFile(file, 'utf8'));
}
