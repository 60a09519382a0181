import { departmentTree, keyState, type Department } from './queries';

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
