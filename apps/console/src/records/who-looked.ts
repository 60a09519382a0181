// "Who looked": every reveal of personal data (kind `read`, with the purpose declared for it)
// and every export (kind `export`) is itself an entry of the processing record, so these views
// are explorer filters: shareable addresses like any other.
import type { ColumnId } from './columns';
import { parseFilters, type RecordsSearch } from './search';

/** What an officer asks of a reveal or an export: when, why, who, whose data, which categories, how (in the explorer's order). */
export const WHO_LOOKED_COLUMNS: readonly ColumnId[] = ['at', 'kind', 'purpose', 'actor', 'subject', 'categories', 'method', 'correlationId'];

export type LookKind = 'read' | 'export';

/** The explorer's view of reveals or exports, optionally of one subject, by one actor, or both. */
export function whoLookedView(kind: LookKind, narrow: { readonly subjectId?: string; readonly actor?: string } = {}): RecordsSearch {
  return { ...parseFilters({ ...narrow, kind }), columns: WHO_LOOKED_COLUMNS };
}
