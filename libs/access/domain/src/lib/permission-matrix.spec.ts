import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DELEGABLE_PERMISSIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './permissions';

// docs/security.md is where people read the matrix; the code is what runs. They must agree.
describe('the permission matrix in docs/security.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'security.md'), 'utf8');
  const lines = doc.split('\n').filter((l) => l.startsWith('| '));
  const header = lines.find((l) => l.startsWith('| permission |'));
  const cells = (line: string): string[] =>
    line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());

  it('has a column per role and a row per permission', () => {
    expect(header).toBeDefined();
    expect(cells(header ?? '').slice(1, 1 + ROLES.length)).toEqual([...ROLES]);
    const rows = lines.filter((l) => PERMISSIONS.some((p) => l.startsWith(`| ${p} |`)));
    expect(rows.map((r) => cells(r)[0])).toEqual([...PERMISSIONS]);
  });

  it('marks exactly the permissions each role has, and the delegable ones', () => {
    for (const permission of PERMISSIONS) {
      const row = cells(lines.find((l) => l.startsWith(`| ${permission} |`)) ?? '');
      ROLES.forEach((role, i) => {
        expect({ permission, role, granted: row[1 + i] === '✓' }).toEqual({ permission, role, granted: ROLE_PERMISSIONS[role].includes(permission) });
      });
      expect({ permission, delegable: row[1 + ROLES.length] === '✓' }).toEqual({ permission, delegable: DELEGABLE_PERMISSIONS.includes(permission) });
    }
  });
});
