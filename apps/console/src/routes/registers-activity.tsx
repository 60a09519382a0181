// One processing activity: the version shown (`?version=N`, by default the current one) with
// what it changed from the version before, every version newest first, the form to revise it
// (`?edit=true`, which records a new version) and the impact assessments that cover it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useId } from 'react';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { assessmentsOf, assessmentStatus, newestFirst, type ActivityVersion, type RecordedAssessment } from '../registers/activity';
import { ActivityFacts, ActivityForm, AssessmentsTable, ChangesTable, NoAccess, useRegisterAccess } from '../registers/components';
import { changesOf, previousVersion } from '../registers/diff';
import { activityDraft } from '../registers/forms';
import { activitiesQuery, activityVersionsQuery, assessmentsQuery, reviseActivity, REGISTER_KEYS } from '../registers/queries';
import type { ActivitySearch } from '../registers/search';

const route = getRouteApi('/registers/activities/$activityId');

export function ActivityPage() {
  const { t } = useI18n();
  const { activityId } = route.useParams();
  const search = route.useSearch();
  const { access, roles } = useRegisterAccess();
  const canRead = access !== undefined && access !== 'none';
  const query = useQuery({ ...activityVersionsQuery(activityId), enabled: canRead });
  const versions = query.data ?? [];
  const current = newestFirst(versions)[0];
  useDocumentTitle(current?.activity.name ?? t('registers.activity.title'));

  return (
    <div className="page">
      <p className="muted small">
        <Link to="/registers/activities">{t('registers.activity.back')}</Link>
      </p>
      <h1>{current?.activity.name ?? t('registers.activity.title')}</h1>
      {access === 'none' && <NoAccess need="read" roles={roles} />}
      {canRead && query.isPending && (
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
      {current !== undefined && <ActivityView versions={versions} current={current} search={search} canManage={access === 'manage'} roles={roles} />}
    </div>
  );
}

function ActivityView({
  versions,
  current,
  search,
  canManage,
  roles,
}: {
  readonly versions: readonly ActivityVersion[];
  readonly current: ActivityVersion;
  readonly search: ActivitySearch;
  readonly canManage: boolean;
  readonly roles: readonly string[];
}) {
  const { t, tx } = useI18n();
  const assessments = useQuery(assessmentsQuery);
  const shown = versions.find((v) => v.version === search.version) ?? current;
  const previous = previousVersion(versions, shown.version);
  const changes = changesOf(versions, shown);
  const status = assessmentStatus(current, assessments.data ?? []);

  return (
    <>
      <p className="lead">
        {tx('registers.activity.summary', { version: current.version, count: versions.length, when: <DateTime value={current.recordedAt} /> })}
      </p>
      {search.saved !== undefined && search.saved === current.version && (
        <p className="notice success" role="status" data-saved={search.saved}>
          {t('registers.activity.saved', { version: search.saved })}
        </p>
      )}
      {search.version !== undefined && versions.every((v) => v.version !== search.version) && (
        <p className="notice warning" role="status">
          {t('registers.activity.noSuchVersion', { version: search.version })}
        </p>
      )}
      {status.kind === 'missing' && (
        <p className="notice warning" data-assessment-status="missing">
          {t('registers.activity.assessmentMissing')}
        </p>
      )}
      <div className="actions register-actions">
        {canManage && search.edit !== true && (
          <Link to="." search={{ edit: true }} className="button primary" data-action="revise">
            {t('registers.activity.revise')}
          </Link>
        )}
        {canManage && (
          <Link to="/registers/assessments" search={{ activity: current.activityId, new: true }} className="button secondary">
            {t('registers.activity.assess')}
          </Link>
        )}
      </div>

      {search.edit === true && (canManage ? <Revise current={current} /> : <NoAccess need="manage" roles={roles} />)}

      <section className="card" aria-labelledby="activity-content" data-shown-version={shown.version}>
        <h2 id="activity-content">
          {shown.version === current.version
            ? t('registers.activity.currentContent', { version: shown.version })
            : t('registers.activity.olderContent', { version: shown.version, current: current.version })}
        </h2>
        <ActivityFacts version={shown} />
      </section>

      <section className="card" aria-labelledby="activity-changes">
        <h2 id="activity-changes">{t('registers.activity.changesTitle', { version: shown.version })}</h2>
        {changes === null || previous === undefined ? (
          <p className="muted">{t('registers.activity.firstVersion')}</p>
        ) : (
          <ChangesTable changes={changes} from={previous.version} to={shown.version} />
        )}
      </section>

      <section className="card" aria-labelledby="activity-versions">
        <h2 id="activity-versions">{t('registers.activity.versionsTitle')}</h2>
        <VersionsTable versions={versions} shown={shown.version} current={current.version} />
      </section>

      <section className="card" aria-labelledby="activity-assessments">
        <h2 id="activity-assessments">{t('registers.activity.assessmentsTitle')}</h2>
        <ActivityAssessments activityId={current.activityId} assessments={assessments.data} error={assessments.error} />
      </section>
    </>
  );
}

function Revise({ current }: { readonly current: ActivityVersion }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (body: Parameters<typeof reviseActivity>[1]) => reviseActivity(current.activityId, body),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: REGISTER_KEYS.activities });
      await navigate({ to: '/registers/activities/$activityId', params: { activityId: saved.activityId }, search: { saved: saved.version } });
    },
  });
  return (
    <section className="card" aria-labelledby="activity-revise">
      <h2 id="activity-revise">{t('registers.activity.reviseTitle', { version: current.version + 1 })}</h2>
      <p className="muted">{t('registers.activity.reviseIntro')}</p>
      <ActivityForm
        key={current.version}
        initial={activityDraft(current.activity)}
        submitLabel={t('registers.activity.saveVersion')}
        pending={mutation.isPending}
        error={mutation.error}
        onSubmit={(body) => {
          mutation.mutate(body);
        }}
        cancel={
          <Link to="." search={{}} className="button secondary">
            {t('registers.form.cancel')}
          </Link>
        }
      />
    </section>
  );
}

function VersionsTable({ versions, shown, current }: { readonly versions: readonly ActivityVersion[]; readonly shown: number; readonly current: number }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="table-scroll register-table" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense" data-versions={versions.length}>
        <caption id={`${id}-caption`}>{t('registers.activity.versionsCaption', { count: versions.length })}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('registers.version')}
            </th>
            <th scope="col">{t('registers.recordedAt')}</th>
            <th scope="col">{t('registers.recordedBy')}</th>
            <th scope="col">{t('registers.activity.changed')}</th>
            <th scope="col">{t('registers.activity.view')}</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst(versions).map((v) => {
            const changes = changesOf(versions, v);
            return (
              <tr key={v.version} data-version={v.version} aria-current={v.version === shown ? 'true' : undefined}>
                <th scope="row" className="num mono">
                  {v.version}
                </th>
                <td>
                  <DateTime value={v.recordedAt} style="compact" />
                </td>
                <td className="mono">{v.recordedBy}</td>
                <td className="register-changed">
                  {changes === null
                    ? t('registers.activity.created')
                    : changes.length === 0
                      ? t('registers.activity.unchanged')
                      : changes.map((c) => t(`registers.field.${c.field}`)).join(', ')}
                </td>
                <td>
                  {v.version === shown ? (
                    <span className="muted">{t('registers.activity.shown')}</span>
                  ) : (
                    <Link to="." search={v.version === current ? {} : { version: v.version }} data-view-version={v.version}>
                      {t('registers.activity.viewVersion', { version: v.version })}
                    </Link>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ActivityAssessments({
  activityId,
  assessments,
  error,
}: {
  readonly activityId: string;
  readonly assessments: readonly RecordedAssessment[] | undefined;
  readonly error: unknown;
}) {
  const { t } = useI18n();
  const activities = useQuery(activitiesQuery);
  if (error !== null && error !== undefined) return <ErrorBox error={error} />;
  if (assessments === undefined) return <p className="muted">{t('app.loading')}</p>;
  const own = assessmentsOf(assessments, activityId);
  const names = new Map((activities.data ?? []).map((v) => [v.activityId, v.activity.name]));
  if (own.length === 0) return <p className="muted">{t('registers.activity.noAssessments')}</p>;
  return (
    <>
      <AssessmentsTable
        assessments={own}
        caption={t('registers.activity.assessmentsCaption', { count: own.length })}
        activityName={(id) =>
          id === activityId ? (
            <span>{names.get(id) ?? id}</span>
          ) : (
            <Link to="/registers/activities/$activityId" params={{ activityId: id }}>
              {names.get(id) ?? id}
            </Link>
          )
        }
      />
      <p>
        <Link to="/registers/assessments" search={{ activity: activityId }}>
          {t('registers.activity.allAssessments')}
        </Link>
      </p>
    </>
  );
}
