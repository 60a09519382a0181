import {
  chosenSizes,
  consistencyCommand,
  latestOfSize,
  newestFirst,
  parseCheckpointsSearch,
  parseSize,
  selectPair,
  serverVerificationState,
  shellWord,
  knownCheckpoints,
  type CheckpointView,
  type ServerVerification,
} from './checkpoints';
import { bundleCommand } from './offline';

const checkpoint = (size: number, createdAt = `2026-01-01T00:00:${String(size).padStart(2, '0')}.000Z`): CheckpointView => ({
  size,
  root: `root-${size}`,
  note: `origin\n${size}\nroot-${size}\n`,
  createdAt,
});
// As the API answers: oldest first.
const list = [checkpoint(3), checkpoint(10), checkpoint(12), checkpoint(30)];

describe('checkpoints search parameters', () => {
  it('keeps tree sizes: whole numbers from 1 up to 2^53 − 1', () => {
    expect(parseCheckpointsSearch({ from: '3', to: '30' })).toEqual({ from: 3, to: 30 });
    expect(parseCheckpointsSearch({ from: 3, to: 9007199254740991 })).toEqual({ from: 3, to: 9007199254740991 });
    expect(parseCheckpointsSearch({})).toEqual({});
  });

  it('drops anything else', () => {
    for (const bad of ['0', '-1', '1.5', '1e3', '03', ' 3', '', 'x', '9007199254740992', '99999999999999999999', 0, 1.5, -2, Number.NaN, null, [], {}]) {
      expect([bad, parseSize(bad)]).toEqual([bad, undefined]);
    }
    expect(parseCheckpointsSearch({ from: 'abc', to: '12', other: '1' })).toEqual({ to: 12 });
  });
});

describe('choosing two checkpoints', () => {
  it('shows the newest first without changing the API’s list', () => {
    expect(newestFirst(list).map((c) => c.size)).toEqual([30, 12, 10, 3]);
    expect(list.map((c) => c.size)).toEqual([3, 10, 12, 30]);
  });

  it('by default compares the two newest sizes', () => {
    expect(chosenSizes(list, {})).toEqual({ from: 12, to: 30 });
    expect(selectPair(list, {})).toMatchObject({ kind: 'ready', older: { size: 12 }, newer: { size: 30 } });
    expect(chosenSizes(list, { to: 12 })).toEqual({ from: 10, to: 12 });
    expect(chosenSizes(list, { from: 3 })).toEqual({ from: 3, to: 30 });
  });

  it('takes the sizes of the URL', () => {
    expect(selectPair(list, { from: 3, to: 12 })).toMatchObject({ kind: 'ready', older: { size: 3 }, newer: { size: 12 } });
  });

  it('says when the choice cannot be compared', () => {
    expect(selectPair([], {})).toEqual({ kind: 'incomplete' });
    expect(selectPair([checkpoint(5)], {})).toEqual({ kind: 'incomplete' });
    expect(selectPair(list, { to: 3 })).toEqual({ kind: 'incomplete' });
    expect(selectPair(list, { from: 4, to: 30 })).toEqual({ kind: 'unknown', size: 4 });
    expect(selectPair(list, { from: 3, to: 31 })).toEqual({ kind: 'unknown', size: 31 });
    expect(selectPair(list, { from: 30, to: 12 })).toEqual({ kind: 'order', from: 30, to: 12 });
    expect(selectPair(list, { from: 12, to: 12 })).toEqual({ kind: 'order', from: 12, to: 12 });
  });

  it('uses the newest checkpoint of a size signed more than once', () => {
    const again = [...list, checkpoint(30, '2026-02-01T00:00:00.000Z')];
    expect(latestOfSize(again, 30)?.createdAt).toBe('2026-02-01T00:00:00.000Z');
    expect(chosenSizes(again, {})).toEqual({ from: 12, to: 30 });
  });

  it('knows the loaded pages and the chosen sizes beyond them, each checkpoint once, oldest first', () => {
    const newest = newestFirst(list);
    const firstPage = newest.slice(0, 2);
    const three = list.filter((c) => c.size === 3);
    expect(knownCheckpoints(firstPage, []).map((c) => c.size)).toEqual([12, 30]);
    expect(knownCheckpoints(firstPage, [three, three]).map((c) => c.size)).toEqual([3, 12, 30]);
    expect(knownCheckpoints(newest, [three])).toEqual(list);
    // A size signed twice: both, in signing order (the newest of a size is the one compared).
    const again = checkpoint(30, '2026-02-01T00:00:00.000Z');
    expect(latestOfSize(knownCheckpoints([again, ...firstPage], []), 30)).toBe(again);
  });
});

describe('the server’s verification', () => {
  const report = (over: Partial<ServerVerification>): ServerVerification => ({
    tenantId: 't',
    origin: 'o',
    ok: true,
    size: 4,
    purged: 0,
    latestCheckpoint: { size: 4, root: 'r' },
    checkpointsChecked: 1,
    uncovered: 0,
    pending: 0,
    problems: [],
    ...over,
  });

  it('is an alarm when it failed, calm otherwise', () => {
    expect(serverVerificationState(report({ ok: false, problems: ['x'] }))).toBe('failed');
    expect(serverVerificationState(report({}))).toBe('passed');
    expect(serverVerificationState(report({ size: 0, latestCheckpoint: null, checkpointsChecked: 0 }))).toBe('nothing-signed');
    // Entries but no checkpoint for too long is the server's failure, never "nothing signed".
    expect(serverVerificationState(report({ ok: false, latestCheckpoint: null, checkpointsChecked: 0 }))).toBe('failed');
  });
});

describe('terminal commands', () => {
  it('quotes what a shell would read otherwise', () => {
    expect(shellWord('acme-1')).toBe('acme-1');
    expect(shellWord('my bundle.json')).toBe(`'my bundle.json'`);
    expect(shellWord(`it's.json`)).toBe(`'it'\\''s.json'`);
    expect(shellWord('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
  });

  it('writes the consistency check of the terminal', () => {
    expect(consistencyCommand('acme', 'log+1234abcd+AQID')).toBe(`npx attest verify --tenant acme --key 'log+1234abcd+AQID' --checkpoint <file>`);
    expect(consistencyCommand(undefined, undefined)).toBe(`npx attest verify --tenant <tenant> --key '<verifier key>' --checkpoint <file>`);
  });

  it('writes the offline bundle check of the terminal', () => {
    expect(bundleCommand(undefined, '', [])).toBe(`npx attest verify --bundle <file> --key '<verifier key>'`);
    expect(bundleCommand('export 1.json', ' log+1234abcd+AQID ', ['kept.txt', 'older one.txt'])).toBe(
      `npx attest verify --bundle 'export 1.json' --key 'log+1234abcd+AQID' --checkpoint kept.txt --checkpoint 'older one.txt'`,
    );
  });
});
