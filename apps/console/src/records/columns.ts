// The columns of the processing record explorer, and which of them show (the URL's `columns`).
import type { components } from '../api/schema';

export type ProcessingRecordRow = components['schemas']['ProcessingRecordPage']['records'][number];

/** The choosable columns, in display order. The entry index always shows (it links to the entry). */
export const RECORD_COLUMNS = [
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
] as const satisfies readonly (keyof ProcessingRecordRow)[];

export type ColumnId = (typeof RECORD_COLUMNS)[number];

export const DEFAULT_COLUMNS: readonly ColumnId[] = ['at', 'kind', 'purpose', 'actor', 'subject', 'legalBasis', 'outcome', 'leafHash'];

/** Ids and hashes: monospace, so that they can be compared by eye. */
export const MONOSPACE_COLUMNS: ReadonlySet<ColumnId> = new Set<ColumnId>([
  'actor',
  'subject',
  'consents',
  'asOf',
  'eventId',
  'commandId',
  'correlationId',
  'leafHash',
  'tenant',
]);

const isColumn = (value: string): value is ColumnId => (RECORD_COLUMNS as readonly string[]).includes(value);

/** In display order, without duplicates. */
const canonical = (ids: Iterable<ColumnId>): ColumnId[] => {
  const chosen = new Set(ids);
  return RECORD_COLUMNS.filter((id) => chosen.has(id));
};

/**
 * The `columns` search parameter ("at,kind,actor" or an array of ids) as a column choice;
 * unknown ids are dropped; undefined when nothing valid is left (the default columns show).
 */
export function parseColumns(value: unknown): ColumnId[] | undefined {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const ids = canonical(
    parts.flatMap((part: unknown) => {
      const id = typeof part === 'string' ? part.trim() : '';
      return isColumn(id) ? [id] : [];
    }),
  );
  return ids.length > 0 ? ids : undefined;
}

const sameAsDefault = (ids: readonly ColumnId[]): boolean => ids.length === DEFAULT_COLUMNS.length && ids.every((id) => DEFAULT_COLUMNS.includes(id));

/** The value to keep in the URL: undefined for the default choice (a shorter address). */
export function columnsParam(ids: readonly ColumnId[]): ColumnId[] | undefined {
  const ordered = canonical(ids);
  return ordered.length === 0 || sameAsDefault(ordered) ? undefined : ordered;
}

export const visibleColumns = (columns: readonly ColumnId[] | undefined): readonly ColumnId[] => columns ?? DEFAULT_COLUMNS;

/** Shows or hides one column; the last visible column stays (a table needs one). */
export function toggleColumn(visible: readonly ColumnId[], id: ColumnId): ColumnId[] {
  const next = visible.includes(id) ? visible.filter((c) => c !== id) : [...visible, id];
  return next.length === 0 ? canonical(visible) : canonical(next);
}
