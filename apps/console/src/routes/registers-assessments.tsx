// Personal information protection impact assessments (PIPL 55–56, kept at least 3 years): every
// assessment newest first, linked to the activities it covers; narrowed to one activity with
// `?activity=<id>`; the form for a new one with `?new=true` (that activity preselected).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { RegistersNav } from '../components/RegistersNav';
import { useDocumentTitle } from '../components/use-document-title';
import { ErrorBox } from '../components/ErrorBox';
import { useI18n } from '../i18n/context';
import { assessmentsOf, type ActivityVersion } from '../registers/activity';
import { AssessmentForm, AssessmentsTable, NoAccess, useRegisterAccess } from '../registers/components';
import { emptyAssessment, localDate } from '../registers/forms';
import { activitiesQuery, assessmentsQuery, recordAssessment, REGISTER_KEYS } from '../registers/queries';
import type { AssessmentsSearch } from '../registers/search';

const route = getRouteApi('/registers/assessments');

export function AssessmentsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('registers.assessments.title'));
  const search = route.useSearch();
  const { access, roles } = useRegisterAccess();
  const canRead = access !== undefined && access !== 'none';
  const query = useQuery({ ...assessmentsQuery, enabled: canRead });
  const activities = useQuery({ ...activitiesQuery, enabled: canRead });
  const [saved, setSaved] = useState<string | null>(null);
  const names = new Map((activities.data ?? []).map((v) => [v.activityId, v.activity.name]));
  const narrowedTo = search.activity;
  const shown = query.data === undefined ? [] : narrowedTo === undefined ? query.data : assessmentsOf(query.data, narrowedTo);

  return (
    <div className="page wide">
      <RegistersNav />
      <h1>{t('registers.assessments.title')}</h1>
      <p className="lead">{t('registers.assessments.intro')}</p>
      {access === 'none' && <NoAccess need="read" roles={roles} />}
      {canRead && (
        <>
          {saved !== null && (
            <p className="notice success" role="status" data-saved-assessment={saved}>
              {t('registers.assessments.saved')}
            </p>
          )}
          {search.new === true &&
            (access !== 'manage' ? (
              <NoAccess need="manage" roles={roles} />
            ) : activities.data === undefined ? (
              activities.isError ? (
                <ErrorBox error={activities.error} />
              ) : (
                <p className="muted">{t('app.loading')}</p>
              )
            ) : (
              <NewAssessment
                activities={activities.data}
                search={search}
                onSaved={(id) => {
                  setSaved(id);
                }}
              />
            ))}
          <div className="toolbar">
            {narrowedTo !== undefined && (
              <p className="muted" role="status">
                {t('registers.assessments.narrowed', { name: names.get(narrowedTo) ?? narrowedTo })}{' '}
                <Link to="/registers/assessments" search={{ ...search, activity: undefined }}>
                  {t('registers.assessments.showAll')}
                </Link>
              </p>
            )}
            {access === 'manage' && search.new !== true && (
              <Link
                to="/registers/assessments"
                search={{ ...search, new: true }}
                className="button primary"
                data-action="new-assessment"
                onClick={() => {
                  setSaved(null);
                }}
              >
                {t('registers.assessments.new')}
              </Link>
            )}
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
          {query.data &&
            (shown.length === 0 ? (
              <p className="notice" data-empty="assessments">
                {narrowedTo === undefined ? t('registers.assessments.empty') : t('registers.assessments.emptyForActivity')}
              </p>
            ) : (
              <AssessmentsTable
                assessments={shown}
                caption={t('registers.assessments.caption', { count: shown.length })}
                activityName={(id) => (
                  <Link to="/registers/activities/$activityId" params={{ activityId: id }}>
                    {names.get(id) ?? id}
                  </Link>
                )}
              />
            ))}
        </>
      )}
    </div>
  );
}

function NewAssessment({
  activities,
  search,
  onSaved,
}: {
  readonly activities: readonly ActivityVersion[];
  readonly search: AssessmentsSearch;
  readonly onSaved: (assessmentId: string) => void;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: recordAssessment,
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: REGISTER_KEYS.assessments });
      onSaved(saved.assessmentId);
      await navigate({ to: '/registers/assessments', search: { ...search, new: undefined } });
    },
  });
  const preselected = search.activity !== undefined && activities.some((v) => v.activityId === search.activity) ? [search.activity] : [];
  return (
    <section className="card" aria-labelledby="assessments-new">
      <h2 id="assessments-new">{t('registers.assessments.newTitle')}</h2>
      <p className="muted">{t('registers.assessments.newIntro')}</p>
      <AssessmentForm
        initial={emptyAssessment(preselected, localDate(new Date()))}
        activities={activities}
        submitLabel={t('registers.assessments.record')}
        pending={mutation.isPending}
        error={mutation.error}
        onSubmit={(body) => {
          mutation.mutate(body);
        }}
        cancel={
          <Link to="/registers/assessments" search={{ ...search, new: undefined }} className="button secondary">
            {t('registers.form.cancel')}
          </Link>
        }
      />
    </section>
  );
}
