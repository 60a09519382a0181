// Organization administration: the timed jobs. What the destructive ones (A8, A10, P2, D5) will
// destroy of this organization's within the horizon, each with the warning sent about it; every
// job with its schedule and last run; the latest runs. Runs span every tenant: their counts are
// not shown here, only when and how they ended.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { intervalParts, timedJobsQuery, warningState, type TimedJobs, type UpcomingDestruction } from '../admin/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { AdminNav } from './admin-nav';

const WHAT = ['account-cancellation', 'customer-personal-data', 'record-bodies', 'retained-field'] as const;
const RUN_STATUSES = ['running', 'succeeded', 'failed', 'abandoned'] as const;

export function TimedJobsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.jobs.title'));
  const jobs = useQuery(timedJobsQuery);
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.jobs.title')}</h1>
      <p className="lead">{t('admin.jobs.intro')}</p>
      {jobs.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {jobs.isError && <ErrorBox error={jobs.error} onRetry={() => void jobs.refetch()} />}
      {jobs.data && (
        <>
          <Upcoming data={jobs.data} />
          <Jobs data={jobs.data} />
          <History data={jobs.data} />
        </>
      )}
    </div>
  );
}

function Upcoming({ data }: { readonly data: TimedJobs }) {
  const { t } = useI18n();
  const id = useId();
  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.jobs.upcoming', { days: data.horizonDays })}</h2>
      <p className="muted small">{t('admin.jobs.upcomingHint')}</p>
      {data.upcoming.length === 0 ? (
        <p data-upcoming="0">{t('admin.jobs.nothingUpcoming')}</p>
      ) : (
        <div className="table-scroll fit" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="dense" data-upcoming={data.upcoming.length}>
            <caption id={`${id}-caption`} className="visually-hidden">
              {t('admin.jobs.upcoming', { days: data.horizonDays })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.jobs.col.dueOn')}</th>
                <th scope="col">{t('admin.jobs.col.what')}</th>
                <th scope="col">{t('admin.jobs.col.requirement')}</th>
                <th scope="col">{t('admin.jobs.col.warning')}</th>
                <th scope="col">{t('admin.jobs.col.job')}</th>
              </tr>
            </thead>
            <tbody>
              {data.upcoming.map((u) => (
                <tr key={`${u.job}:${u.subject ?? ''}:${u.field ?? ''}:${u.dueOn}`} data-requirement={u.requirement} data-warning={warningState(u, today)}>
                  <th scope="row">{u.dueOn}</th>
                  <td className="wrap">
                    <What upcoming={u} />
                  </td>
                  <td>{u.requirement}</td>
                  <td>
                    <Warning upcoming={u} today={today} />
                  </td>
                  <td className="mono small">{u.job}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function What({ upcoming }: { readonly upcoming: UpcomingDestruction }) {
  const { t } = useI18n();
  const what = WHAT.find((w) => w === upcoming.what);
  const text =
    what === undefined
      ? upcoming.what
      : t(`admin.jobs.what.${what}`, { count: upcoming.count ?? 0, field: upcoming.field ?? '', id: (upcoming.subject ?? '').slice(0, 8) });
  return <span title={upcoming.subject ?? undefined}>{text}</span>;
}

function Warning({ upcoming, today }: { readonly upcoming: UpcomingDestruction; readonly today: string }) {
  const { t, tx } = useI18n();
  const state = warningState(upcoming, today);
  if (upcoming.warning !== null)
    return (
      <>
        {tx(state === 'failed' ? 'admin.jobs.warning.failed' : 'admin.jobs.warning.sent', {
          at: <DateTime value={upcoming.warning.createdAt} style="compact" />,
        })}
      </>
    );
  if (state === 'scheduled') return <>{t('admin.jobs.warning.scheduled', { day: upcoming.warningFrom ?? '' })}</>;
  if (state === 'due') return <>{t('admin.jobs.warning.due')}</>;
  return <span className="muted">{t('admin.jobs.warning.none')}</span>;
}

function Jobs({ data }: { readonly data: TimedJobs }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.jobs.jobs')}</h2>
      <div className="table-scroll fit" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table className="dense" data-jobs={data.jobs.length}>
          <caption id={`${id}-caption`} className="visually-hidden">
            {t('admin.jobs.jobs')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.jobs.col.job')}</th>
              <th scope="col">{t('admin.jobs.col.does')}</th>
              <th scope="col">{t('admin.jobs.col.every')}</th>
              <th scope="col">{t('admin.jobs.col.nextRun')}</th>
              <th scope="col">{t('admin.jobs.col.lastRun')}</th>
            </tr>
          </thead>
          <tbody>
            {data.jobs.map((job) => {
              const every = intervalParts(job.intervalSeconds);
              return (
                <tr key={job.name} data-job={job.name}>
                  <th scope="row" className="mono small">
                    {job.name}
                    {job.destroys !== null && (
                      <>
                        {' '}
                        <span className="register-tag warning">{t('admin.jobs.destroys', { requirement: job.destroys })}</span>
                      </>
                    )}
                  </th>
                  <td className="small wrap">{job.description}</td>
                  <td>{t(`admin.jobs.every.${every.unit}`, { count: every.count })}</td>
                  <td>{job.nextRunAt === null ? '—' : <DateTime value={job.nextRunAt} style="compact" />}</td>
                  <td>
                    {job.lastRun === null ? (
                      '—'
                    ) : (
                      <>
                        <RunStatus status={job.lastRun.status} /> <DateTime value={job.lastRun.startedAt} style="compact" />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RunStatus({ status }: { readonly status: string }) {
  const { t } = useI18n();
  const known = RUN_STATUSES.find((s) => s === status);
  return <span data-run-status={status}>{known === undefined ? status : t(`admin.jobs.status.${known}`)}</span>;
}

function History({ data }: { readonly data: TimedJobs }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.jobs.history')}</h2>
      <p className="muted small">{t('admin.jobs.historyHint')}</p>
      {data.history.length === 0 ? (
        <p>{t('admin.jobs.noHistory')}</p>
      ) : (
        <div className="table-scroll fit" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="dense" data-history={data.history.length}>
            <caption id={`${id}-caption`} className="visually-hidden">
              {t('admin.jobs.history')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.jobs.col.job')}</th>
                <th scope="col">{t('admin.jobs.col.status')}</th>
                <th scope="col">{t('admin.jobs.col.started')}</th>
                <th scope="col">{t('admin.jobs.col.finished')}</th>
                <th scope="col">{t('admin.jobs.col.error')}</th>
              </tr>
            </thead>
            <tbody>
              {data.history.map((run) => (
                <tr key={`${run.job}:${run.startedAt}`}>
                  <th scope="row" className="mono small">
                    {run.job}
                  </th>
                  <td>
                    <RunStatus status={run.status} />
                  </td>
                  <td>
                    <DateTime value={run.startedAt} style="compact" />
                  </td>
                  <td>{run.finishedAt === null ? '—' : <DateTime value={run.finishedAt} style="compact" />}</td>
                  <td className="mono small">{run.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
