import { delegationChange, MAX_INVITATIONS, parseContactList } from './members';

describe('members', () => {
  it('reads a contact list with a header, separators of a spreadsheet export and blank lines', () => {
    const list = parseContactList(
      'Name,Email,Phone\nLi Wei, li.wei@example.org ,\n\n"Zhang San";;+86 138-0000-1234\nMinor\tm@example.org\t\t2012-03-04\n',
      'd1',
    );
    expect(list.problems).toEqual([]);
    expect(list.invitations).toEqual([
      { departmentId: 'd1', contact: { name: 'Li Wei', email: 'li.wei@example.org', phone: null } },
      { departmentId: 'd1', contact: { name: 'Zhang San', email: null, phone: '+8613800001234' } },
      { departmentId: 'd1', contact: { name: 'Minor', email: 'm@example.org', phone: null }, birthDate: '2012-03-04' },
    ]);
  });

  it('names each line it cannot send, with its line number', () => {
    const list = parseContactList(',a@example.org\nNo Reach\nBad, not-an-email\nBad phone,,12345\nBad day,a@example.org,,04/03/2012\nFine,f@example.org', null);
    expect(list.problems).toEqual([
      { line: 1, problem: 'name' },
      { line: 2, problem: 'reach' },
      { line: 3, problem: 'email' },
      { line: 4, problem: 'phone' },
      { line: 5, problem: 'birthDate' },
    ]);
    expect(list.invitations.map((i) => i.contact.name)).toEqual(['Fine']);
  });

  it('refuses more contacts than one call takes', () => {
    const text = Array.from({ length: MAX_INVITATIONS + 1 }, (_, i) => `P${String(i)},p${String(i)}@example.org`).join('\n');
    const list = parseContactList(text, null);
    expect(list.invitations).toHaveLength(MAX_INVITATIONS);
    expect(list.problems).toEqual([{ line: MAX_INVITATIONS + 1, problem: 'tooMany' }]);
  });

  it('grants what is ticked and not held, revokes what is held and not ticked, leaves the rest', () => {
    expect(delegationChange(['customers:read', 'consent:read', 'requests:read'], new Set(['customers:read', 'event-log:read'] as const))).toEqual({
      grant: ['event-log:read'],
      revoke: ['consent:read'],
    });
  });
});
