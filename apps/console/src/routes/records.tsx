// The processing record explorer: filters, column choice and page in the URL; server-side
// cursor paging; a dense table whose rows open the entry page.
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { api } from '../api/client';
import { ApiError, toProblem } from '../api/problem';
import { recordsQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { userTimeZone } from '../components/date-time';
import { useI18n } from '../i18n/context';
import { MONOSPACE_COLUMNS, RECORD_COLUMNS, toggleColumn, visibleColumns, type ColumnId, type ProcessingRecordRow } from '../records/columns';
import {
  apiQuery,
  exportQuery,
  DECISION_OUTCOMES,
  draftOf,
  effectiveLimit,
  filtersOf,
  filtersOfDraft,
  firstPage,
  LIMIT_CHOICES,
  nextPage,
  pageNumber,
  previousPage,
  PROCESSING_KINDS,
  withColumns,
  withFilters,
  withLimit,
  withOtherOrder,
  type FilterDraft,
  type RecordsSearch,
} from '../records/search';

const route = getRouteApi('/records');

export function RecordsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('records.title'));
  const search = route.useSearch();
  const query = useQuery({ ...recordsQuery(apiQuery(search)), placeholderData: keepPreviousData });
  const columns = visibleColumns(search.columns);

  return (
    <div className="page wide">
      <h1>{t('records.title')}</h1>
      <p className="lead">{t('records.intro')}</p>

      <FilterForm key={JSON.stringify(filtersOf(search))} search={search} />

      <div className="toolbar">
        <LimitSelect search={search} />
        <ColumnsMenu search={search} visible={columns} />
        <ExportButtons search={search} columns={columns} />
        <p className="muted" role="status">
          {query.isFetching ? t('records.updating') : query.data ? t('records.rowCount', { count: query.data.records.length }) : ''}
        </p>
      </div>

      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.isPending && <p className="muted">{t('app.loading')}</p>}
      {query.data && <RecordsTable records={query.data.records} columns={columns} busy={query.isPlaceholderData} sortedBy={search} />}
      {query.data && <Pager search={search} next={query.data.next} />}
    </div>
  );
}

function FilterForm({ search }: { readonly search: RecordsSearch }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  const [draft, setDraft] = useState<FilterDraft>(() => draftOf(search));
  const set = (field: keyof FilterDraft) => (event: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [field]: event.target.value }));
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void navigate({ to: '/records', search: withFilters(search, filtersOfDraft(draft)) });
  };
  const zone = userTimeZone();

  return (
    <form className="filters" onSubmit={submit} aria-labelledby={`${id}-legend`}>
      <h2 id={`${id}-legend`} className="section-title">
        {t('records.filters')}
      </h2>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor={`${id}-subject`}>{t('records.subjectId')}</label>
          <input
            id={`${id}-subject`}
            className="mono"
            value={draft.subjectId}
            onChange={set('subjectId')}
            aria-describedby={`${id}-subject-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-subject-hint`}>{t('records.subjectIdHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-purpose`}>{t('records.purpose')}</label>
          <input
            id={`${id}-purpose`}
            value={draft.purpose}
            onChange={set('purpose')}
            aria-describedby={`${id}-purpose-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-purpose-hint`}>{t('records.purposeHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>{t('records.actor')}</label>
          <input
            id={`${id}-actor`}
            className="mono"
            value={draft.actor}
            onChange={set('actor')}
            aria-describedby={`${id}-actor-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-actor-hint`}>{t('records.actorHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('records.kind')}</label>
          <select id={`${id}-kind`} value={draft.kind} onChange={set('kind')}>
            <option value="">{t('records.anyKind')}</option>
            {PROCESSING_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind.${kind}`)} ({kind})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-channel`}>{t('records.channel')}</label>
          <input
            id={`${id}-channel`}
            value={draft.channel}
            onChange={set('channel')}
            aria-describedby={`${id}-channel-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-channel-hint`}>{t('records.channelHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-outcome`}>{t('records.outcome')}</label>
          <select id={`${id}-outcome`} value={draft.outcome} onChange={set('outcome')}>
            <option value="">{t('records.anyOutcome')}</option>
            {DECISION_OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {t(`outcome.${outcome}`)} ({outcome})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('records.from')}</label>
          <input id={`${id}-from`} type="datetime-local" step={1} value={draft.from} onChange={set('from')} aria-describedby={`${id}-zone`} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('records.to')}</label>
          <input id={`${id}-to`} type="datetime-local" step={1} value={draft.to} onChange={set('to')} aria-describedby={`${id}-zone`} />
        </div>
      </div>
      <p id={`${id}-zone`} className="muted small">
        {t('records.timeHint', { zone })}
      </p>
      <div className="actions">
        <button type="submit" className="button primary">
          {t('records.apply')}
        </button>
        <Link to="/records" search={withFilters(search, {})} className="button secondary">
          {t('records.clear')}
        </Link>
      </div>
    </form>
  );
}

/**
 * Downloads exactly this filter and these columns (every page, up to 10,000 records) as CSV
 * or JSON. Fetched by the page so that a needed step-up sends the person to sign in again and
 * back, instead of saving an error as the file; the server records each export.
 */
function ExportButtons({ search, columns }: { readonly search: RecordsSearch; readonly columns: readonly ColumnId[] }) {
  const { t } = useI18n();
  const download = useMutation({
    mutationFn: async (format: 'csv' | 'json') => {
      const query = exportQuery(search, columns);
      const { data, error, response } =
        format === 'csv'
          ? await api.GET('/v1/processing-record/records/export.csv', { params: { query }, parseAs: 'blob' })
          : await api.GET('/v1/processing-record/records/export.json', { params: { query }, parseAs: 'blob' });
      if (!response.ok || data === undefined) throw new ApiError(toProblem(error, response.status, response.statusText));
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = `processing-record.${format}`;
      link.click();
      URL.revokeObjectURL(url);
    },
  });
  return (
    <div className="export-buttons">
      <span className="muted">{t('records.export')}</span>{' '}
      {(['csv', 'json'] as const).map((format) => (
        <button
          key={format}
          type="button"
          className="button secondary"
          disabled={download.isPending}
          data-export={format}
          onClick={() => {
            download.mutate(format);
          }}
        >
          {format.toUpperCase()}
        </button>
      ))}
      {download.isError && <ErrorBox error={download.error} />}
    </div>
  );
}

function LimitSelect({ search }: { readonly search: RecordsSearch }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  return (
    <div className="field inline">
      <label htmlFor={id}>{t('records.limit')}</label>
      <select
        id={id}
        value={effectiveLimit(search)}
        onChange={(event) => {
          void navigate({ to: '/records', search: withLimit(search, Number(event.target.value)) });
        }}
      >
        {LIMIT_CHOICES.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Which columns show: a menu of checkboxes; the choice is the URL's `columns`. */
function ColumnsMenu({ search, visible }: { readonly search: RecordsSearch; readonly visible: readonly ColumnId[] }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  return (
    <details className="columns-menu">
      <summary>{t('records.columns')}</summary>
      <fieldset>
        <legend>{t('records.columnsLegend')}</legend>
        {RECORD_COLUMNS.map((column) => {
          const checked = visible.includes(column);
          return (
            <div key={column} className="check">
              <input
                id={`${id}-${column}`}
                type="checkbox"
                checked={checked}
                disabled={checked && visible.length === 1}
                onChange={() => {
                  void navigate({ to: '/records', search: withColumns(search, toggleColumn(visible, column)), replace: true });
                }}
              />
              <label htmlFor={`${id}-${column}`}>{t(`field.${column}`)}</label>
            </div>
          );
        })}
      </fieldset>
    </details>
  );
}

function cellText(value: ProcessingRecordRow[ColumnId]): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : null;
  return value;
}

function Cell({ record, column }: { readonly record: ProcessingRecordRow; readonly column: ColumnId }) {
  const { t } = useI18n();
  if (column === 'at') return <DateTime value={record.at} style="compact" />;
  if (column === 'kind') return <span title={record.kind}>{t(`kind.${record.kind}`)}</span>;
  if (column === 'outcome' && (record.outcome === 'allow' || record.outcome === 'deny'))
    return <span title={record.outcome}>{t(`outcome.${record.outcome}`)}</span>;
  const text = cellText(record[column]);
  if (text === null) return <span className="muted">—</span>;
  return <span title={text}>{text}</span>;
}

export function RecordsTable({
  records,
  columns,
  busy,
  sortedBy,
}: {
  readonly records: readonly ProcessingRecordRow[];
  readonly columns: readonly ColumnId[];
  readonly busy: boolean;
  /** The explorer's state: the time column then turns the order (newest ⇄ oldest first). */
  readonly sortedBy?: RecordsSearch;
}) {
  const { t } = useI18n();
  const id = useId();
  if (records.length === 0) return <p className="notice">{t('records.empty')}</p>;
  return (
    <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense" aria-busy={busy}>
        <caption id={`${id}-caption`}>{t('records.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('field.index')}
            </th>
            {columns.map((column) =>
              column === 'at' && sortedBy !== undefined ? (
                <th key={column} scope="col" aria-sort={sortedBy.order === 'oldest' ? 'ascending' : 'descending'}>
                  <Link to="/records" search={withOtherOrder(sortedBy)} className="sort-toggle" data-order={sortedBy.order ?? 'newest'}>
                    {t('field.at')} {sortedBy.order === 'oldest' ? '▲' : '▼'}
                    <span className="visually-hidden"> {t(sortedBy.order === 'oldest' ? 'records.showNewestFirst' : 'records.showOldestFirst')}</span>
                  </Link>
                </th>
              ) : (
                <th key={column} scope="col">
                  {t(`field.${column}`)}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <tr key={record.index}>
              <th scope="row" className="num mono">
                <Link to="/records/$index" params={{ index: String(record.index) }}>
                  {record.index}
                </Link>
              </th>
              {columns.map((column) => (
                <td key={column} className={MONOSPACE_COLUMNS.has(column) ? 'mono truncate' : 'truncate'}>
                  <Cell record={record} column={column} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Server-side cursor paging: next with the API's cursor; previous from the cursors kept in the URL (or the back button). */
function Pager({ search, next }: { readonly search: RecordsSearch; readonly next: string | null }) {
  const { t } = useI18n();
  const previous = previousPage(search);
  return (
    <nav className="pager" aria-label={t('records.paging')}>
      <span className="muted">{t('records.page', { page: pageNumber(search) })}</span>
      {search.cursor !== undefined && (
        <Link to="/records" search={firstPage(search)}>
          {t('records.firstPage')}
        </Link>
      )}
      {previous !== null && (
        <Link to="/records" search={previous} rel="prev">
          {t('records.previous')}
        </Link>
      )}
      {next !== null && (
        <Link to="/records" search={nextPage(search, next)} rel="next">
          {t('records.next')}
        </Link>
      )}
    </nav>
  );
}
