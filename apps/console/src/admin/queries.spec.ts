import { departmentTree, intervalParts, keyState, warningState, type Department } from './queries';

const dept = (departmentId: string, name: string, parentId: string | null): Department => ({ departmentId, name, parentId, memberCount: 0 });

describe('organization administration', () => {
  it('lists departments as a tree, each after its parent, siblings by name', () => {
    const tree = departmentTree([
      dept('c', 'Sales east', 'a'),
      dept('a', 'Sales', null),
      dept('b', 'Legal', null),
      dept('d', 'Sales central', 'a'),
      dept('e', 'Key accounts', 'd'),
    ]);
    expect(tree.map((t) => `${'-'.repeat(t.depth)}${t.department.name}`)).toEqual(['Legal', 'Sales', '-Sales central', '--Key accounts', '-Sales east']);
  });

  it('keeps a department whose parent is gone', () => {
    expect(departmentTree([dept('x', 'Orphan', 'gone')]).map((t) => t.department.name)).toEqual(['Orphan']);
  });

  it('names a key’s state', () => {
    expect(keyState({ revokedAt: null, expiresAt: '2030-01-01T00:00:00Z', replacedBy: null }, Date.parse('2026-01-01'))).toBe('active');
    expect(keyState({ revokedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z', replacedBy: null }, Date.parse('2026-01-02'))).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: '2026-01-01T00:00:00Z', replacedBy: null }, Date.parse('2026-01-02'))).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: '2026-01-03T00:00:00Z', replacedBy: 'k2' }, Date.parse('2026-01-02'))).toBe('replaced');
    expect(keyState({ revokedAt: null, expiresAt: '2026-01-01T00:00:00Z', replacedBy: 'k2' }, Date.parse('2026-01-02'))).toBe('expired');
  });
});

describe('timed jobs', () => {
  it('says an interval in its largest whole unit', () => {
    expect(intervalParts(86_400)).toEqual({ unit: 'days', count: 1 });
    expect(intervalParts(3_600)).toEqual({ unit: 'hours', count: 1 });
    expect(intervalParts(7_200)).toEqual({ unit: 'hours', count: 2 });
    expect(intervalParts(90)).toEqual({ unit: 'minutes', count: 2 });
  });

  it('says where a warning stands', () => {
    const sent = { status: 'delivered' as const, createdAt: '2026-12-01T00:00:00Z', deliveredAt: '2026-12-01T00:01:00Z' };
    expect(warningState({ warning: sent, warningFrom: '2026-12-01' }, '2026-12-05')).toBe('sent');
    expect(warningState({ warning: { ...sent, status: 'dead' }, warningFrom: '2026-12-01' }, '2026-12-05')).toBe('failed');
    expect(warningState({ warning: null, warningFrom: '2026-12-20' }, '2026-12-05')).toBe('scheduled');
    expect(warningState({ warning: null, warningFrom: '2026-12-01' }, '2026-12-05')).toBe('due');
    expect(warningState({ warning: null, warningFrom: null }, '2026-12-05')).toBe('none');
  });
});
