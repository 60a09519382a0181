import { parseRecordsSearch } from './search';
import { WHO_LOOKED_COLUMNS, whoLookedView } from './who-looked';

describe('who looked: explorer views of reveals and exports', () => {
  it('filters by kind, and by subject or actor when given; the view survives the URL', () => {
    expect(whoLookedView('export')).toEqual({ kind: 'export', columns: WHO_LOOKED_COLUMNS });
    const view = whoLookedView('read', { subjectId: ' 0190a1b2-0000-7000-8000-000000000001 ', actor: 'user:ann' });
    expect(view).toEqual({ kind: 'read', subjectId: '0190a1b2-0000-7000-8000-000000000001', actor: 'user:ann', columns: WHO_LOOKED_COLUMNS });
    expect(parseRecordsSearch({ ...view, columns: WHO_LOOKED_COLUMNS.join(',') })).toEqual(view);
  });

  it('drops what the explorer would refuse (blank or control characters)', () => {
    expect(whoLookedView('read', { subjectId: '  ', actor: 'a\u0000b' })).toEqual({ kind: 'read', columns: WHO_LOOKED_COLUMNS });
  });
});
