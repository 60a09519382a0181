import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleBuildStale } from './build-console';

describe('npm start builds the console when it is missing or older than its sources', () => {
  let root: string;
  const app = (): string => join(root, 'console');
  const dist = (): string => join(root, 'dist');
  const at = (seconds: number): Date => new Date(1_800_000_000_000 + seconds * 1000);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'attest-console-build-'));
    await mkdir(join(app(), 'src', 'routes'), { recursive: true });
    for (const file of ['index.html', 'vite.config.mts', 'src/main.tsx', 'src/routes/home.tsx']) {
      await writeFile(join(app(), file), '');
      await utimes(join(app(), file), at(0), at(0));
    }
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds when there is no build, not when the build is newer, and again when a source changed after it', async () => {
    expect(consoleBuildStale(app(), dist())).toBe(true);
    await mkdir(dist(), { recursive: true });
    await writeFile(join(dist(), 'index.html'), '');
    await utimes(join(dist(), 'index.html'), at(10), at(10));
    expect(consoleBuildStale(app(), dist())).toBe(false);
    // A page changed by a pull, deep in the tree.
    await utimes(join(app(), 'src', 'routes', 'home.tsx'), at(20), at(20));
    expect(consoleBuildStale(app(), dist())).toBe(true);
  });
});
