// The request handler's queue: mine by default, due date first, a deadline light in words, the
// clock's state, unverified requests past the tenant's age in their own tab, duplicates named,
// saved views (kept on the server), and bulk actions on the whole filter with exclusions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { consolePath } from '../api/navigation';
import { sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { RowLink } from '../components/RowLink';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { bulkJobQuery, queueQuery, requestPolicyQuery, savedViewsQuery, type BulkActionBody } from '../requests/queries';
import {
  bulkFilter,
  clockOf,
  lightOf,
  parseQueueSearch,
  QUEUE_PAGE_SIZE,
  queueFilter,
  REQUEST_CHANNELS,
  REQUEST_TYPES,
  STATUSES,
  URGENCIES,
  type QueueRequest,
  type QueueSearch,
} from '../requests/search';

const route = getRouteApi('/requests');

export function RequestsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('requests.title'));
  const session = useQuery(sessionQuery);
  const search = route.useSearch();
  const actor = session.data?.actor;
  return (
    <div className="page wide">
      <h1>{t('requests.title')}</h1>
      <p className="lead">{t('requests.intro')}</p>
      <p>
        <Link to="/requests/new">{t('requests.newRequest')}</Link>
      </p>
      <Tabs search={search} />
      <Filters search={search} />
      <SavedViews search={search} />
      {actor !== undefined && <Queue search={search} actor={actor} />}
    </div>
  );
}

function Tabs({ search }: { readonly search: QueueSearch }) {
  const { t } = useI18n();
  const policy = useQuery(requestPolicyQuery);
  const days = policy.data?.unverifiedAfterDays ?? 14;
  const stale = search.tab === 'stale';
  return (
    <nav aria-label={t('requests.tabs')} className="tabs">
      <Link to="/requests" search={{ ...search, tab: undefined, after: undefined }} aria-current={stale ? undefined : 'page'}>
        {t('requests.tabQueue')}
      </Link>
      <Link to="/requests" search={{ ...search, tab: 'stale', after: undefined }} aria-current={stale ? 'page' : undefined} data-tab="stale">
        {t('requests.tabStale', { days })}
      </Link>
    </nav>
  );
}

/** A select per filter; each choice goes to the URL at once. */
function Filters({ search }: { readonly search: QueueSearch }) {
  const { t } = useI18n();
  const navigate = route.useNavigate();
  const id = useId();
  const set = (key: keyof QueueSearch) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    void navigate({
      search: (previous) => parseQueueSearch({ ...previous, [key]: value === '' ? undefined : value, after: undefined }),
      replace: true,
      resetScroll: false,
    });
  };
  const select = (key: keyof QueueSearch, label: string, options: readonly (readonly [string, string])[]) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select id={`${id}-${key}`} value={search[key] ?? ''} onChange={set(key)}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const any: readonly [string, string] = ['', t('requests.any')];
  return (
    <form
      className="filters"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <h2 id={`${id}-title`} className="section-title">
        {t('requests.filters')}
      </h2>
      <div className="filter-grid">
        {select('who', t('requests.who'), [
          ['', t('requests.whoMine')],
          ['all', t('requests.whoAll')],
        ])}
        {select('type', t('requests.type'), [any, ...REQUEST_TYPES.map((v) => [v, v] as const)])}
        {select('status', t('requests.status'), [any, ...STATUSES.map((v) => [v, v] as const)])}
        {select('urgency', t('requests.urgency'), [any, ...URGENCIES.map((v) => [v, t(`requests.light.${v}`)] as const)])}
        {select('verified', t('requests.verified'), [any, ['true', t('requests.verifiedTrue')], ['false', t('requests.verifiedFalse')]])}
        {select('channel', t('requests.channel'), [any, ...REQUEST_CHANNELS.map((v) => [v, v] as const)])}
        <div className="field">
          <label htmlFor={`${id}-dueFrom`}>{t('requests.dueFrom')}</label>
          <input id={`${id}-dueFrom`} type="date" value={search.dueFrom ?? ''} onChange={set('dueFrom')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-dueTo`}>{t('requests.dueTo')}</label>
          <input id={`${id}-dueTo`} type="date" value={search.dueTo ?? ''} onChange={set('dueTo')} />
        </div>
      </div>
    </form>
  );
}

/** Saved views: this page's filters under a name, kept for the person on the server. */
function SavedViews({ search }: { readonly search: QueueSearch }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const views = useQuery(savedViewsQuery);
  const [name, setName] = useState('');
  const changed = () => queryClient.invalidateQueries({ queryKey: savedViewsQuery.queryKey });
  const save = useMutation({
    mutationFn: (viewName: string) =>
      unwrap(
        api.PUT('/v1/me/console-views/{name}', {
          params: { path: { name: viewName } },
          body: {
            page: '/requests',
            // A view is the filter, not the page it was saved on.
            search: Object.fromEntries(Object.entries(search).filter((e): e is [string, string] => e[0] !== 'after' && typeof e[1] === 'string')),
          },
        }),
      ),
    onSuccess: async () => {
      setName('');
      await changed();
    },
  });
  const remove = useMutation({
    mutationFn: (viewName: string) => unwrap(api.DELETE('/v1/me/console-views/{name}', { params: { path: { name: viewName } } })),
    onSuccess: changed,
  });
  const mine = (views.data ?? []).filter((v) => v.page === '/requests');
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('requests.savedViews')}</h2>
      <p className="muted small">{t('requests.savedViewsHint')}</p>
      {views.isError && <ErrorBox error={views.error} />}
      {views.data && mine.length === 0 && <p className="muted">{t('requests.noViews')}</p>}
      {mine.length > 0 && (
        <ul className="plain-list" data-saved-views>
          {mine.map((view) => (
            <li key={view.name}>
              <Link to="/requests" search={parseQueueSearch(view.search)}>
                {t('requests.openView')}: {view.name}
              </Link>{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  remove.mutate(view.name);
                }}
              >
                {t('requests.removeView')} {view.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline-form"
        onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
          event.preventDefault();
          if (name.trim() !== '') save.mutate(name.trim());
        }}
      >
        <label htmlFor={`${id}-name`}>{t('requests.viewName')}</label>
        <input
          id={`${id}-name`}
          value={name}
          maxLength={60}
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
        <button type="submit" disabled={save.isPending}>
          {t('requests.saveView')}
        </button>
      </form>
      {save.isError && <ErrorBox error={save.error} />}
      {remove.isError && <ErrorBox error={remove.error} />}
    </section>
  );
}

function Queue({ search, actor }: { readonly search: QueueSearch; readonly actor: string }) {
  const { t } = useI18n();
  const filter = queueFilter(search, actor);
  const query = useQuery(queueQuery(filter));
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (requestId: string) => {
    setExcluded((previous) => {
      const next = new Set(previous);
      if (next.has(requestId)) next.delete(requestId);
      else next.add(requestId);
      return next;
    });
  };
  return (
    <section aria-labelledby="requests-queue">
      <h2 id="requests-queue" className="visually-hidden">
        {t('requests.tableCaption')}
      </h2>
      <p className="muted" role="status">
        {query.data ? t('requests.count', { count: query.data.length }) : query.isPending ? t('app.loading') : ''}
      </p>
      {query.isError && <ErrorBox error={query.error} onRetry={() => void query.refetch()} />}
      {query.data && query.data.length === 0 && <p className="notice">{t('requests.empty')}</p>}
      {query.data && query.data.length > 0 && <QueueTable requests={query.data} excluded={excluded} onToggle={toggle} busy={query.isFetching} />}
      <Paging search={search} last={query.data?.length === QUEUE_PAGE_SIZE ? query.data.at(-1)?.requestId : undefined} />
      <BulkAction search={search} actor={actor} excluded={excluded} />
    </section>
  );
}

/** First page and next page of the queue (`after` in the address); a filter change starts at the first page again. */
function Paging({ search, last }: { readonly search: QueueSearch; readonly last: string | undefined }) {
  const { t } = useI18n();
  if (search.after === undefined && last === undefined) return null;
  return (
    <p className="paging">
      {search.after !== undefined && (
        <Link to="/requests" search={{ ...search, after: undefined }}>
          {t('requests.firstPage')}
        </Link>
      )}{' '}
      {last !== undefined && (
        <Link to="/requests" search={{ ...search, after: last }} data-next-page>
          {t('requests.nextPage')}
        </Link>
      )}
    </p>
  );
}

function QueueTable({
  requests,
  excluded,
  onToggle,
  busy,
}: {
  readonly requests: readonly QueueRequest[];
  readonly excluded: ReadonlySet<string>;
  readonly onToggle: (requestId: string) => void;
  readonly busy: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const navigate = useNavigate();
  return (
    <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense" aria-busy={busy}>
        <caption id={`${id}-caption`}>{t('requests.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('requests.col.exclude')}</th>
            <th scope="col">{t('requests.col.due')}</th>
            <th scope="col">{t('requests.col.request')}</th>
            <th scope="col">{t('requests.col.type')}</th>
            <th scope="col">{t('requests.col.status')}</th>
            <th scope="col">{t('requests.col.clock')}</th>
            <th scope="col">{t('requests.col.channel')}</th>
            <th scope="col">{t('requests.col.received')}</th>
            <th scope="col">{t('requests.col.handler')}</th>
            <th scope="col">{t('requests.col.duplicates')}</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => {
            const light = lightOf(r);
            const clock = clockOf(r);
            return (
              <tr key={r.requestId} data-request={r.requestId}>
                <td>
                  <input
                    type="checkbox"
                    checked={excluded.has(r.requestId)}
                    onChange={() => {
                      onToggle(r.requestId);
                    }}
                    aria-label={t('requests.excludeRow', { id: r.requestId })}
                  />
                </td>
                <td>
                  <span className={`light light-${light}`} data-light={light}>
                    {t(`requests.light.${light}`)}
                  </span>{' '}
                  {r.dueOn}
                </td>
                <td className="mono">
                  <RowLink
                    href={consolePath(`/requests/${r.requestId}`)}
                    onNavigate={() => void navigate({ to: '/requests/$requestId', params: { requestId: r.requestId } })}
                  >
                    {r.requestId}
                  </RowLink>
                </td>
                <td>{r.requestType}</td>
                <td>{r.status}</td>
                <td>{clock.kind === 'extended' ? t('requests.clock.extended', { reason: clock.reason }) : t(`requests.clock.${clock.kind}`)}</td>
                <td>{r.channel}</td>
                <td>
                  <DateTime value={r.receivedAt} />
                </td>
                <td className="mono">{r.handler ?? t('requests.unassigned')}</td>
                <td>{r.duplicates.length > 0 ? t('requests.duplicatesOf', { count: r.duplicates.length }) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A bulk action on every request of the filter, less the ticked ones; then its results. */
function BulkAction({ search, actor, excluded }: { readonly search: QueueSearch; readonly actor: string; readonly excluded: ReadonlySet<string> }) {
  const { t } = useI18n();
  const id = useId();
  const [action, setAction] = useState<BulkActionBody['action']>('assign');
  const [reasons, setReasons] = useState('');
  const [complaint, setComplaint] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => {
      const body: BulkActionBody = {
        action,
        filter: bulkFilter(search, actor),
        exclude: [...excluded],
        ...(action === 'assign' ? { handler: actor } : {}),
        ...(action === 'reject'
          ? {
              reasons: reasons
                .split('\n')
                .map((r) => r.trim())
                .filter((r) => r !== ''),
              complaint,
            }
          : {}),
      };
      return unwrap(api.POST('/v1/data-subject-requests/bulk-actions', { body }));
    },
    onSuccess: (job) => {
      setJobId(job.jobId);
    },
  });
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-bulk>
      <h2 id={`${id}-title`}>{t('requests.bulkTitle')}</h2>
      <p className="muted">{t('requests.bulkHint', { excluded: excluded.size })}</p>
      <form
        onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
          event.preventDefault();
          start.mutate();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-action`}>{t('requests.bulkAction')}</label>
          <select
            id={`${id}-action`}
            value={action}
            onChange={(event) => {
              setAction(event.target.value as BulkActionBody['action']);
            }}
          >
            {(['assign', 'send-codes', 'reject'] as const).map((a) => (
              <option key={a} value={a}>
                {t(`requests.bulk.${a}`)}
              </option>
            ))}
          </select>
        </div>
        {action === 'reject' && (
          <>
            <div className="field">
              <label htmlFor={`${id}-reasons`}>{t('requests.bulkReasons')}</label>
              <textarea
                id={`${id}-reasons`}
                value={reasons}
                rows={3}
                onChange={(event) => {
                  setReasons(event.target.value);
                }}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-complaint`}>{t('requests.bulkComplaint')}</label>
              <input
                id={`${id}-complaint`}
                value={complaint}
                onChange={(event) => {
                  setComplaint(event.target.value);
                }}
              />
            </div>
          </>
        )}
        <button type="submit" disabled={start.isPending}>
          {t('requests.bulkStart')}
        </button>
      </form>
      {start.isError && <ErrorBox error={start.error} />}
      {jobId !== null && <BulkJobResult jobId={jobId} />}
    </section>
  );
}

function BulkJobResult({ jobId }: { readonly jobId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const job = useQuery(bulkJobQuery(jobId));
  const finished = job.data?.finishedAt != null;
  // Once finished, the queue is read again (once: the job's answer no longer changes).
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ['requests', 'queue'] });
  }, [finished, queryClient]);
  return (
    <div className="bulk-job" data-job={jobId} data-finished={finished ? 'true' : 'false'}>
      <h3>{t('requests.bulkJob', { jobId })}</h3>
      {job.isError && <ErrorBox error={job.error} />}
      {job.data && (
        <>
          <p role="status">
            {t('requests.bulkProgress', { done: job.data.done, failed: job.data.failed, pending: job.data.pending, total: job.data.total })} —{' '}
            {finished ? t('requests.bulkFinished') : t('requests.bulkRunning')}
          </p>
          {job.data.failures.length > 0 && (
            <>
              <h4>{t('requests.bulkFailures')}</h4>
              <ul data-failures>
                {job.data.failures.map((f) => (
                  <li key={f.requestId}>{t('requests.bulkFailureRow', { requestId: f.requestId, message: f.message, code: f.code })}</li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </div>
  );
}
