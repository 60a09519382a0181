import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ErasureEntry {
  readonly subjectId: string;
  readonly reason: string;
  readonly at: string;
}

/**
 * An append-only record of erasures kept outside the database (and outside
 * its backups). A restored database brings back the keys it had at backup
 * time; replaying this journal at start-up destroys them again (N6).
 */
export class ErasureJournal {
  constructor(private readonly path: string) {}

  /** Durable before the erasure happens in the database: intent first. */
  async append(entry: ErasureEntry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    const handle = await open(this.path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async entries(): Promise<ErasureEntry[]> {
    const text = await readFile(this.path, 'utf8').catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as ErasureEntry);
  }
}
