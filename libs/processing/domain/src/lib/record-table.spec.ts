import { isRecordTableColumn, RECORD_TABLE_COLUMNS, recordTableColumns, recordTableCsv, recordTableJson, type RecordTableRow } from './record-table';

const row = (over: Partial<RecordTableRow>): RecordTableRow => ({
  v: 2,
  tenant: 'acme',
  index: 7,
  kind: 'decision',
  categories: ['contact', 'marketing'],
  purpose: 'newsletter',
  method: 'api',
  measures: [],
  legalBasis: 'consent',
  actor: 'apiKey:01a2',
  subject: 'psn_x',
  at: '2026-12-04T10:00:00.000Z',
  eventId: null,
  commandId: null,
  correlationId: 'c-1',
  channel: null,
  outcome: 'deny',
  reasons: ['CONSENT.WITHDRAWN'],
  consents: [],
  asOf: null,
  leafHash: 'AAAA',
  ...over,
});

describe('the processing record as a table (exports of the explorer)', () => {
  it('puts the index first and keeps the table’s order, whatever order the columns were chosen in', () => {
    expect(recordTableColumns(['outcome', 'at', 'kind', 'at'])).toEqual(['index', 'at', 'kind', 'outcome']);
    expect(recordTableColumns([])).toEqual(['index']);
    expect(isRecordTableColumn('leafHash')).toBe(true);
    expect(isRecordTableColumn('body')).toBe(false);
    expect(RECORD_TABLE_COLUMNS[0]).toBe('index');
  });

  it('writes CSV with lists joined by ;, nulls empty, quoting per RFC 4180 and formulas neutralised', () => {
    const csv = recordTableCsv(
      [row({}), row({ index: 8, actor: '=HYPERLINK("x")', purpose: 'a,b', categories: [], channel: null })],
      ['index', 'actor', 'purpose', 'categories', 'channel'],
    );
    expect(csv.split('\r\n')).toEqual([
      'index,actor,purpose,categories,channel',
      '7,apiKey:01a2,newsletter,contact;marketing,',
      `8,"'=HYPERLINK(""x"")","a,b",,`,
      '',
    ]);
  });

  it('writes JSON objects with exactly the chosen columns', () => {
    expect(recordTableJson([row({})], ['index', 'reasons', 'leafHash'])).toEqual([{ index: 7, reasons: ['CONSENT.WITHDRAWN'], leafHash: 'AAAA' }]);
  });
});
