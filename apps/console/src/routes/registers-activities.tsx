// The record of processing activities (GDPR 30, PIPL 55–56): the current version of each activity
// in a dense table, its impact assessment status, the exports (CSV, JSON, a print page) and the
// form for a new activity (`?new=true`). A filter (`q`) narrows the table, never the exports.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { userTimeZone } from '../components/date-time';
import { RegistersNav } from '../components/RegistersNav';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { assessmentStatus, filterActivities, listText, transferText, type ActivityVersion, type RecordedAssessment } from '../registers/activity';
import { ActivityForm, LegalBasisText, NoAccess, useRegisterAccess } from '../registers/components';
import { EMPTY_ACTIVITY } from '../registers/forms';
import { activitiesQuery, assessmentsQuery, createActivity, downloadRegister, printPageHref, REGISTER_KEYS, type RegisterExport } from '../registers/queries';
import type { ActivitiesSearch } from '../registers/search';

const route = getRouteApi('/registers/activities');

export function ActivitiesPage() {
  const { t } = useI18n();
  useDocumentTitle(t('registers.activities.title'));
  const search = route.useSearch();
  const { access, roles } = useRegisterAccess();
  const canRead = access !== undefined && access !== 'none';
  const query = useQuery({ ...activitiesQuery, enabled: canRead });
  const assessments = useQuery({ ...assessmentsQuery, enabled: canRead });

  return (
    <div className="page wide">
      <RegistersNav />
      <h1>{t('registers.activities.title')}</h1>
      <p className="lead">{t('registers.activities.intro')}</p>
      {access === 'none' && <NoAccess need="read" roles={roles} />}
      {canRead && (
        <>
          {search.new === true && (access === 'manage' ? <NewActivity /> : <NoAccess need="manage" roles={roles} />)}
          <div className="toolbar">
            <FilterForm key={search.q ?? ''} search={search} />
            {access === 'manage' && search.new !== true && (
              <Link to="/registers/activities" search={{ ...search, new: true }} className="button primary" data-action="new-activity">
                {t('registers.activities.new')}
              </Link>
            )}
            <Exports />
          </div>
          {query.isPending && (
            <p className="muted" role="status">
              {t('app.loading')}
            </p>
          )}
          {query.isError && (
            <ErrorBox
              error={query.error}
              onRetry={() => {
                void query.refetch();
              }}
            />
          )}
          {assessments.isError && <ErrorBox error={assessments.error} />}
          {query.data && <ActivitiesTable versions={query.data} assessments={assessments.data ?? []} search={search} canManage={access === 'manage'} />}
        </>
      )}
    </div>
  );
}

function NewActivity() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: createActivity,
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: REGISTER_KEYS.activities });
      await navigate({ to: '/registers/activities/$activityId', params: { activityId: saved.activityId }, search: { saved: saved.version } });
    },
  });
  return (
    <section className="card" aria-labelledby="activities-new">
      <h2 id="activities-new">{t('registers.activities.newTitle')}</h2>
      <p className="muted">{t('registers.activities.newIntro')}</p>
      <ActivityForm
        initial={EMPTY_ACTIVITY}
        submitLabel={t('registers.activities.create')}
        pending={mutation.isPending}
        error={mutation.error}
        onSubmit={(body) => {
          mutation.mutate(body);
        }}
        cancel={
          <Link to="/registers/activities" search={(previous) => ({ ...previous, new: undefined })} className="button secondary">
            {t('registers.form.cancel')}
          </Link>
        }
      />
    </section>
  );
}

function FilterForm({ search }: { readonly search: ActivitiesSearch }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  const [q, setQ] = useState(search.q ?? '');
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void navigate({ to: '/registers/activities', search: { ...search, q: q.trim() === '' ? undefined : q.trim() } });
  };
  return (
    <form className="register-filter" role="search" onSubmit={submit}>
      <div className="field inline">
        <label htmlFor={`${id}-q`}>{t('registers.activities.filter')}</label>
        <input
          id={`${id}-q`}
          type="search"
          value={q}
          onChange={(event) => {
            setQ(event.target.value);
          }}
        />
        <button type="submit" className="button secondary">
          {t('registers.activities.applyFilter')}
        </button>
      </div>
    </form>
  );
}

/** The API's exports of the whole register (downloads fetched by the page; the print page opens in a new tab). */
function Exports() {
  const { t, language } = useI18n();
  const download = useMutation({ mutationFn: (format: RegisterExport) => downloadRegister(format) });
  return (
    <div className="export-buttons">
      <span className="muted">{t('registers.activities.export')}</span>{' '}
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
      <a className="button secondary" href={printPageHref(language, userTimeZone())} target="_blank" rel="noopener" data-export="html">
        {t('registers.activities.print')}
        <span className="visually-hidden"> {t('registers.newTab')}</span>
      </a>
      {download.isError && <ErrorBox error={download.error} />}
    </div>
  );
}

function AssessmentCell({ version, assessments }: { readonly version: ActivityVersion; readonly assessments: readonly RecordedAssessment[] }) {
  const { t } = useI18n();
  const status = assessmentStatus(version, assessments);
  switch (status.kind) {
    case 'missing':
      return (
        <span className="register-tag warning" data-assessment-status="missing">
          {t('registers.status.missing')}
        </span>
      );
    case 'recorded':
      return <span data-assessment-status="recorded">{t('registers.status.recorded', { date: status.latest.assessedOn })}</span>;
    case 'not-required':
      return (
        <span className="muted" data-assessment-status="not-required">
          {status.latest === undefined ? t('registers.status.notRequired') : t('registers.status.recorded', { date: status.latest.assessedOn })}
        </span>
      );
  }
}

/** A list cell: the items joined as the CSV export joins them, the whole value on hover. */
function ListCell({ items }: { readonly items: readonly string[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <span className="muted">{t('registers.none')}</span>;
  const text = listText(items);
  return <span title={text}>{text}</span>;
}

function ActivitiesTable({
  versions,
  assessments,
  search,
  canManage,
}: {
  readonly versions: readonly ActivityVersion[];
  readonly assessments: readonly RecordedAssessment[];
  readonly search: ActivitiesSearch;
  readonly canManage: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  if (versions.length === 0)
    return (
      <div className="notice" data-empty="activities">
        <p>{t('registers.activities.empty')}</p>
        {canManage && search.new !== true && (
          <Link to="/registers/activities" search={{ ...search, new: true }}>
            {t('registers.activities.emptyAction')}
          </Link>
        )}
      </div>
    );
  const shown = filterActivities(versions, search.q);
  return (
    <>
      {search.q !== undefined && (
        <p className="muted" role="status">
          {t('registers.activities.filtered', { shown: shown.length, total: versions.length })}{' '}
          <Link to="/registers/activities" search={{ ...search, q: undefined }}>
            {t('registers.activities.clearFilter')}
          </Link>
        </p>
      )}
      {shown.length === 0 ? (
        <p className="notice">{t('registers.activities.noMatch')}</p>
      ) : (
        <div className="table-scroll register-table" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="dense" data-activities={shown.length}>
            <caption id={`${id}-caption`}>{t('registers.activities.caption', { count: versions.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('registers.field.name')}</th>
                <th scope="col">{t('registers.field.purposes')}</th>
                <th scope="col">{t('registers.field.legalBasis')}</th>
                <th scope="col">{t('registers.activities.assessment')}</th>
                <th scope="col">{t('registers.field.dataSubjectCategories')}</th>
                <th scope="col">{t('registers.field.dataCategories')}</th>
                <th scope="col">{t('registers.field.recipients')}</th>
                <th scope="col">{t('registers.field.transfers')}</th>
                <th scope="col">{t('registers.field.erasureTimeLimit')}</th>
                <th scope="col" className="num">
                  {t('registers.version')}
                </th>
                <th scope="col">{t('registers.lastRevised')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((v) => (
                <tr key={v.activityId} data-activity={v.activityId}>
                  <th scope="row" className="truncate" data-cell="name">
                    <Link to="/registers/activities/$activityId" params={{ activityId: v.activityId }} title={v.activity.name}>
                      {v.activity.name}
                    </Link>
                  </th>
                  <td className="truncate" data-cell="purposes">
                    <ListCell items={v.activity.purposes} />
                  </td>
                  <td className="truncate" data-cell="legalBasis">
                    <LegalBasisText value={v.activity.legalBasis} short />
                  </td>
                  <td data-cell="assessment">
                    <AssessmentCell version={v} assessments={assessments} />
                  </td>
                  <td className="truncate" data-cell="dataSubjectCategories">
                    <ListCell items={v.activity.dataSubjectCategories} />
                  </td>
                  <td className="truncate" data-cell="dataCategories">
                    <ListCell items={v.activity.dataCategories} />
                  </td>
                  <td className="truncate" data-cell="recipients">
                    <ListCell items={v.activity.recipients} />
                  </td>
                  <td className="truncate" data-cell="transfers">
                    <ListCell items={v.activity.transfers.map(transferText)} />
                  </td>
                  <td className="truncate" data-cell="erasureTimeLimit">
                    <span title={v.activity.erasureTimeLimit}>{v.activity.erasureTimeLimit}</span>
                  </td>
                  <td className="num mono" data-cell="version">
                    {v.version}
                  </td>
                  <td data-cell="recordedAt">
                    <DateTime value={v.recordedAt} style="compact" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
