import { columnsParam, DEFAULT_COLUMNS, parseColumns, RECORD_COLUMNS, toggleColumn, visibleColumns } from './columns';
import { RECORD_TABLE_COLUMNS } from '@attest/processing-domain';

describe('column choice', () => {
  it('offers exactly the server’s table columns, in its order (the entry index always shows)', () => {
    expect(['index', ...RECORD_COLUMNS]).toEqual([...RECORD_TABLE_COLUMNS]);
  });

  it('reads the columns parameter in display order, without duplicates or unknown ids', () => {
    expect(parseColumns('leafHash,at,nope,at, kind')).toEqual(['at', 'kind', 'leafHash']);
    expect(parseColumns(['actor', 'at'])).toEqual(['at', 'actor']);
  });

  it('falls back to the default columns when nothing valid is chosen', () => {
    expect(parseColumns(undefined)).toBeUndefined();
    expect(parseColumns('')).toBeUndefined();
    expect(parseColumns('nope,__proto__')).toBeUndefined();
    expect(parseColumns(42)).toBeUndefined();
    expect(visibleColumns(undefined)).toEqual(DEFAULT_COLUMNS);
    expect(visibleColumns(['at'])).toEqual(['at']);
  });

  it('keeps the default choice out of the URL', () => {
    expect(columnsParam([...DEFAULT_COLUMNS].reverse())).toBeUndefined();
    expect(columnsParam(['kind', 'at'])).toEqual(['at', 'kind']);
    expect(columnsParam([])).toBeUndefined();
  });

  it('toggles one column, in display order, and never hides the last one', () => {
    expect(toggleColumn(['at', 'kind'], 'kind')).toEqual(['at']);
    expect(toggleColumn(['kind'], 'at')).toEqual(['at', 'kind']);
    expect(toggleColumn(['at'], 'at')).toEqual(['at']);
  });

  it('offers every default column', () => {
    expect(DEFAULT_COLUMNS.every((c) => RECORD_COLUMNS.includes(c))).toBe(true);
  });
});
