import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '@attest/transparency';

export class SignerKeyError extends Error {
  override readonly name = 'SignerKeyError';
}

/**
 * The checkpoint signing key: ATTEST_RECORD_SIGNER_KEY when set; else
 * (embedded default only) `<dataDir>/record-signer.key`, generated on first
 * start with mode 0600 and named after the log origin. Production must set
 * the variable (and keep the key outside the database and its backups).
 */
export async function loadRecordSigner(options: {
  readonly fromEnv: string | null;
  readonly dataDir: string | null;
  readonly origin: string;
}): Promise<NoteSigner> {
  if (options.fromEnv) return parseSignerKey(options.fromEnv);
  if (!options.dataDir)
    throw new SignerKeyError('ATTEST_RECORD_SIGNER_KEY is required when DATABASE_URL is set (create one with `attest processing-record keygen`)');
  const file = join(resolve(options.dataDir), 'record-signer.key');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) return parseSignerKey(existing);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, generateSignerKey(options.origin), { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  });
  return parseSignerKey(await readFile(file, 'utf8'));
}
