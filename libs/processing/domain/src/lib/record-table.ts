import type { ProcessingRecordBody } from './record';
import { csvCell } from './register';

/** The columns of the processing record as a table (the explorer's and its exports'), in display order. */
export const RECORD_TABLE_COLUMNS = [
  'index',
  'at',
  'kind',
  'purpose',
  'actor',
  'subject',
  'legalBasis',
  'categories',
  'method',
  'channel',
  'outcome',
  'reasons',
  'consents',
  'asOf',
  'measures',
  'eventId',
  'commandId',
  'correlationId',
  'leafHash',
  'tenant',
] as const;

export type RecordTableColumn = (typeof RECORD_TABLE_COLUMNS)[number];

/** A record as the explorer lists it: its body and its leaf hash. */
export type RecordTableRow = ProcessingRecordBody & { readonly leafHash: string };

export const isRecordTableColumn = (value: string): value is RecordTableColumn => (RECORD_TABLE_COLUMNS as readonly string[]).includes(value);

/** A column choice in display order without duplicates; the entry index always comes first. */
export function recordTableColumns(chosen: readonly RecordTableColumn[]): RecordTableColumn[] {
  const set = new Set<RecordTableColumn>(['index', ...chosen]);
  return RECORD_TABLE_COLUMNS.filter((c) => set.has(c));
}

function cell(row: RecordTableRow, column: RecordTableColumn): string | number | readonly string[] | null {
  return column === 'index' ? row.index : row[column];
}

/** The rows as CSV with exactly these columns (lists joined with `;`, empty for none). */
export function recordTableCsv(rows: readonly RecordTableRow[], columns: readonly RecordTableColumn[]): string {
  const text = (value: ReturnType<typeof cell>): string => (value === null ? '' : Array.isArray(value) ? value.join(';') : String(value));
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(text(cell(row, c)))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The rows as JSON objects with exactly these columns. */
export function recordTableJson(rows: readonly RecordTableRow[], columns: readonly RecordTableColumn[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, cell(row, c)])));
}
