import { parseSearchString, stringifySearchObject } from '../search-params';
import { parseActivitiesSearch, parseActivitySearch, parseAssessmentsSearch, parseVersion } from './search';

const ID = '0192a000-0000-7000-8000-00000000000a';

describe('the registers’ addresses', () => {
  it('activities: a trimmed filter and the new-activity form', () => {
    expect(parseActivitiesSearch({})).toEqual({});
    expect(parseActivitiesSearch({ q: '  newsletter ', new: 'true' })).toEqual({ q: 'newsletter', new: true });
    expect(parseActivitiesSearch({ q: '   ', new: 'no' })).toEqual({});
    expect(parseActivitiesSearch({ q: 'x'.repeat(300) }).q).toHaveLength(200);
  });

  it('an activity: the version shown, the revise form, the version just saved', () => {
    expect(parseActivitySearch({ version: '2', edit: 'true', saved: '3' })).toEqual({ version: 2, edit: true, saved: 3 });
    expect(parseActivitySearch({ version: '0', edit: 'yes', saved: '-1' })).toEqual({});
    expect(parseActivitySearch({ version: '1e3' })).toEqual({});
  });

  it('assessments: one activity (a UUID, lower-cased) and the form', () => {
    expect(parseAssessmentsSearch({ activity: ID.toUpperCase(), new: '1' })).toEqual({ activity: ID, new: true });
    expect(parseAssessmentsSearch({ activity: 'nope' })).toEqual({});
  });

  it('version numbers are whole numbers from 1', () => {
    expect(parseVersion(4)).toBe(4);
    expect(parseVersion('12')).toBe(12);
    expect(parseVersion('012')).toBeUndefined();
    expect(parseVersion(1.5)).toBeUndefined();
    expect(parseVersion('abc')).toBeUndefined();
  });

  it('survives the console’s address format both ways', () => {
    const search = { activity: ID, new: true } as const;
    expect(parseAssessmentsSearch(parseSearchString(stringifySearchObject(search)))).toEqual(search);
    const activity = { version: 2, edit: true } as const;
    expect(parseActivitySearch(parseSearchString(stringifySearchObject(activity)))).toEqual(activity);
  });
});
