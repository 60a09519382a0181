import { parseSearchString, stringifySearchObject } from '../search-params';
import {
  exportQuery,
  apiQuery,
  DEFAULT_LIMIT,
  draftOf,
  effectiveLimit,
  filtersOfDraft,
  firstPage,
  fromLocalInput,
  nextPage,
  pageNumber,
  parseRecordsSearch,
  previousPage,
  toLocalInput,
  withColumns,
  withFilters,
  withLimit,
  withOtherOrder,
  type RecordsSearch,
} from './search';

describe('processing record explorer: search parameters', () => {
  it('keeps the valid filters of the URL', () => {
    expect(
      parseRecordsSearch({
        subjectId: ' 0b1c9f1e-2f55-4c38-9d0f-4a3a5b2a8c11 ',
        purpose: 'newsletter',
        actor: 'user:4f1c',
        kind: 'decision',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-02-01T12:30:00+08:00',
        limit: '100',
      }),
    ).toEqual({
      subjectId: '0b1c9f1e-2f55-4c38-9d0f-4a3a5b2a8c11',
      purpose: 'newsletter',
      actor: 'user:4f1c',
      kind: 'decision',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T12:30:00+08:00',
      limit: 100,
    });
  });

  it('drops what the API would refuse instead of failing the page', () => {
    expect(
      parseRecordsSearch({
        kind: 'steal',
        from: 'yesterday',
        to: '2026-13-45T00:00:00Z',
        limit: '500',
        cursor: 'not a cursor!',
        actor: 'a\u0000b',
        purpose: '   ',
        columns: 'nope',
      }),
    ).toEqual({});
    expect(parseRecordsSearch({ limit: '0' })).toEqual({});
    expect(parseRecordsSearch({ limit: String(DEFAULT_LIMIT) })).toEqual({});
    expect(parseRecordsSearch({ limit: 'NaN' })).toEqual({});
  });

  it('exports exactly the filter and the shown columns, without the page', () => {
    expect(exportQuery({ kind: 'read', purpose: 'newsletter', cursor: 'abc', limit: 25, trail: ['x'] }, ['at', 'kind'])).toEqual({
      kind: 'read',
      purpose: 'newsletter',
      columns: 'at,kind',
    });
  });

  it('keeps the trail of earlier pages only with a cursor', () => {
    expect(parseRecordsSearch({ trail: 'AAA,BBB' })).toEqual({});
    expect(parseRecordsSearch({ cursor: 'CCC', trail: 'AAA,bad cursor,BBB' })).toEqual({ cursor: 'CCC', trail: ['AAA', 'BBB'] });
  });

  it('round-trips through the address', () => {
    const search: RecordsSearch = {
      kind: 'use',
      from: '2026-01-01T00:00:00.000Z',
      actor: 'apiKey:01a2419c',
      limit: 25,
      cursor: 'MjAyNi0xMi0wNFQxNToxMToyNy40MDQwMDBafDI',
      trail: ['AAA', 'BBB'],
      columns: ['at', 'kind', 'actor'],
    };
    const href = stringifySearchObject({ ...search });
    expect(href).toBe(
      '?kind=use&from=2026-01-01T00:00:00.000Z&actor=apiKey:01a2419c&limit=25&cursor=MjAyNi0xMi0wNFQxNToxMToyNy40MDQwMDBafDI&trail=AAA,BBB&columns=at,kind,actor',
    );
    expect(parseRecordsSearch(parseSearchString(href))).toEqual(search);
  });

  it('asks the API with the filters, the page size and the cursor (not the columns)', () => {
    expect(apiQuery({ kind: 'read', columns: ['at'], trail: ['AAA'], cursor: 'BBB' })).toEqual({ kind: 'read', limit: DEFAULT_LIMIT, cursor: 'BBB' });
    expect(apiQuery({})).toEqual({ limit: DEFAULT_LIMIT });
    expect(effectiveLimit({ limit: 200 })).toBe(200);
  });
});

describe('processing record explorer: paging', () => {
  const filters: RecordsSearch = { purpose: 'newsletter', limit: 25, columns: ['at', 'actor'] };

  it('goes forward with the API cursor, remembering the pages before', () => {
    const page2 = nextPage(filters, 'C1');
    expect(page2).toEqual({ ...filters, cursor: 'C1' });
    const page3 = nextPage(page2, 'C2');
    expect(page3).toEqual({ ...filters, cursor: 'C2', trail: ['C1'] });
    expect([pageNumber(filters), pageNumber(page2), pageNumber(page3)]).toEqual([1, 2, 3]);
  });

  it('goes back the same way, to the first page', () => {
    const page3: RecordsSearch = { ...filters, cursor: 'C2', trail: ['C1'] };
    const page2 = previousPage(page3);
    expect(page2).toEqual({ ...filters, cursor: 'C1' });
    expect(page2 && previousPage(page2)).toEqual(filters);
    expect(previousPage(filters)).toBeNull();
    expect(firstPage(page3)).toEqual(filters);
  });

  it('starts again at the first page when filters or page size change; columns change nothing else', () => {
    const page3: RecordsSearch = { ...filters, cursor: 'C2', trail: ['C1'] };
    expect(withFilters(page3, { kind: 'delete' })).toEqual({ kind: 'delete', limit: 25, columns: ['at', 'actor'] });
    expect(withLimit(page3, 100)).toEqual({ purpose: 'newsletter', limit: 100, columns: ['at', 'actor'] });
    expect(withLimit(page3, DEFAULT_LIMIT)).toEqual({ purpose: 'newsletter', columns: ['at', 'actor'] });
    expect(withColumns(page3, ['kind'])).toEqual({ ...page3, columns: ['kind'] });
  });
});

describe('processing record explorer: the order', () => {
  it('is newest first unless the address says oldest; turning it starts again at the first page and keeps the view', () => {
    expect(parseRecordsSearch({ order: 'oldest' })).toEqual({ order: 'oldest' });
    expect(parseRecordsSearch({ order: 'newest' })).toEqual({});
    expect(parseRecordsSearch({ order: 'sideways' })).toEqual({});
    const page2: RecordsSearch = { kind: 'read', limit: 25, columns: ['kind'], cursor: 'abc', trail: ['x'] };
    const turned = withOtherOrder(page2);
    expect(turned).toEqual({ kind: 'read', limit: 25, columns: ['kind'], order: 'oldest' });
    expect(withOtherOrder(turned)).toEqual({ kind: 'read', limit: 25, columns: ['kind'] });
    expect(apiQuery(turned)).toEqual({ kind: 'read', limit: 25, order: 'oldest' });
    expect(exportQuery(turned, ['kind'])).toEqual({ kind: 'read', columns: 'kind', order: 'oldest' });
    expect(nextPage(turned, 'n1')).toEqual({ ...turned, cursor: 'n1' });
    expect(withFilters(turned, { actor: 'user:a' })).toEqual({ actor: 'user:a', limit: 25, columns: ['kind'], order: 'oldest' });
  });
});

describe('processing record explorer: the filter form', () => {
  it('edits instants in local time and puts them in the URL in UTC', () => {
    const iso = '2026-03-04T05:06:00.000Z';
    const local = toLocalInput(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe(iso);
    expect(fromLocalInput(toLocalInput('2026-03-04T05:06:07.000Z'))).toBe('2026-03-04T05:06:07.000Z');
    expect(fromLocalInput('')).toBeUndefined();
    expect(toLocalInput(undefined)).toBe('');
    expect(toLocalInput('garbage')).toBe('');
  });

  it('turns the form back into the filters it was made from', () => {
    const search: RecordsSearch = {
      subjectId: 'abc',
      kind: 'decision',
      channel: 'whatsapp',
      outcome: 'deny',
      from: '2026-03-04T05:06:00.000Z',
      to: '2026-03-05T00:00:00.000Z',
    };
    expect(filtersOfDraft(draftOf(search))).toEqual(search);
    expect(filtersOfDraft({ subjectId: ' ', purpose: '', actor: '', kind: 'nope', channel: 'e mail', outcome: 'maybe', from: '', to: '' })).toEqual({});
    // A channel typed in capitals is the same channel.
    expect(filtersOfDraft({ ...draftOf({}), channel: ' SMS ' })).toEqual({ channel: 'sms' });
  });
});
