// The incident register: every security incident of the organization with its live 72-hour
// countdown to the supervisory authority (GDPR 33(1)), filters in the URL, and the form to record one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { userTimeZone } from '../components/date-time';
import { RegistersNav } from '../components/RegistersNav';
import { useDocumentTitle } from '../components/use-document-title';
import type { Incident } from '../incidents/countdown';
import { checkIncident, EMPTY_INCIDENT, type FieldProblem, type IncidentDraft, type NewIncident } from '../incidents/forms';
import { incidentsQuery } from '../incidents/queries';
import { DEADLINE_FILTERS, filterIncidents, INCIDENT_KINDS, INCIDENT_STATES, incidentState, type IncidentsSearch } from '../incidents/search';
import { Countdown, FieldMessage } from '../incidents/ui';
import { usePermission } from '../components/use-permission';
import { useNow } from '../incidents/use-now';
import { useI18n } from '../i18n/context';
import { fromLocalInput } from '../records/search';

const route = getRouteApi('/registers/incidents');

export function IncidentsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('incidents.title'));
  const canRead = usePermission('register:read');
  const canManage = usePermission('register:manage');
  return (
    <div className="page wide">
      <RegistersNav />
      <h1>{t('incidents.title')}</h1>
      <p className="lead">{t('incidents.intro')}</p>
      {canRead === false ? <p className="notice warning">{t('incidents.cannotRead')}</p> : <Register />}
      {canManage === true && <RecordIncident />}
      {canRead === true && canManage === false && <p className="notice">{t('incidents.cannotRecord')}</p>}
    </div>
  );
}

function Register() {
  const { t } = useI18n();
  const search = route.useSearch();
  const query = useQuery(incidentsQuery);
  const now = useNow();
  const shown = query.data ? filterIncidents(query.data, search, now) : [];
  return (
    <section aria-labelledby="incidents-register">
      <h2 id="incidents-register" className="visually-hidden">
        {t('incidents.registerTitle')}
      </h2>
      <Filters search={search} />
      <p className="muted" role="status">
        {query.data ? t('incidents.count', { shown: shown.length, total: query.data.length }) : ''}
      </p>
      {query.isPending && <p className="muted">{t('app.loading')}</p>}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.data && query.data.length === 0 && <p className="notice">{t('incidents.empty')}</p>}
      {query.data && query.data.length > 0 && shown.length === 0 && <p className="notice">{t('incidents.emptyFiltered')}</p>}
      {shown.length > 0 && <IncidentsTable incidents={shown} now={now} />}
    </section>
  );
}

/** Each choice goes to the URL at once (the list is already loaded: filtering is instant). */
function Filters({ search }: { readonly search: IncidentsSearch }) {
  const { t } = useI18n();
  const navigate = route.useNavigate();
  const id = useId();
  const set = (key: keyof IncidentsSearch) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    void navigate({ search: (previous) => ({ ...previous, [key]: value === '' ? undefined : value }), replace: true, resetScroll: false });
  };
  return (
    <form
      className="filters"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <h3 id={`${id}-title`} className="section-title">
        {t('incidents.filters')}
      </h3>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor={`${id}-state`}>{t('incidents.filterState')}</label>
          <select id={`${id}-state`} value={search.state ?? ''} onChange={set('state')}>
            <option value="">{t('incidents.any')}</option>
            {INCIDENT_STATES.map((state) => (
              <option key={state} value={state}>
                {t(`incidents.state.${state}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-deadline`}>{t('incidents.filterDeadline')}</label>
          <select id={`${id}-deadline`} value={search.deadline ?? ''} onChange={set('deadline')}>
            <option value="">{t('incidents.any')}</option>
            {DEADLINE_FILTERS.map((deadline) => (
              <option key={deadline} value={deadline}>
                {t(`incidents.deadlineFilter.${deadline}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('incidents.filterKind')}</label>
          <select id={`${id}-kind`} value={search.kind ?? ''} onChange={set('kind')}>
            <option value="">{t('incidents.any')}</option>
            {INCIDENT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`incidents.kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted small">{t('incidents.filterNote')}</p>
    </form>
  );
}

function IncidentsTable({ incidents, now }: { readonly incidents: readonly Incident[]; readonly now: number }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense incidents-table">
        <caption id={`${id}-caption`}>{t('incidents.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('incidents.col.incident')}</th>
            <th scope="col" className="num">
              {t('incidents.col.affected')}
            </th>
            <th scope="col">{t('incidents.col.consequences')}</th>
            <th scope="col">{t('incidents.col.awareAt')}</th>
            <th scope="col">{t('incidents.col.deadline')}</th>
            <th scope="col">{t('incidents.col.state')}</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((incident) => (
            <tr key={incident.incidentId} data-incident={incident.incidentId}>
              <th scope="row" className="truncate">
                <Link to="/registers/incidents/$incidentId" params={{ incidentId: incident.incidentId }}>
                  {t(`incidents.kind.${incident.report.kind}`)}
                </Link>{' '}
                <span className="muted" title={incident.report.description}>
                  {incident.report.description}
                </span>
              </th>
              <td className="num mono">{incident.report.affectedSubjectsEstimate}</td>
              <td className="clip" title={incident.report.likelyConsequences}>
                {incident.report.likelyConsequences}
              </td>
              <td>
                <DateTime value={incident.report.awareAt} style="compact" />
              </td>
              <td>
                <Countdown incident={incident} now={now} />
              </td>
              <td>
                <ul className="tags">
                  <li>{t(`incidents.state.${incidentState(incident)}`)}</li>
                  {incident.subjectsNotifiedAt !== null && <li>{t('incidents.subjectsNotifiedTag')}</li>}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const reportIncident = (body: NewIncident): Promise<Incident> => unwrap(api.POST('/v1/incidents', { body }));

function RecordIncident() {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<IncidentDraft>(EMPTY_INCIDENT);
  const [problems, setProblems] = useState<Readonly<Partial<Record<keyof IncidentDraft, FieldProblem>>>>({});
  const mutation = useMutation({
    mutationFn: reportIncident,
    onSuccess: async (incident) => {
      queryClient.setQueryData(['register', 'incidents', incident.incidentId], incident);
      setDraft(EMPTY_INCIDENT);
      await queryClient.invalidateQueries({ queryKey: ['register', 'incidents'] });
    },
  });
  const set = (field: keyof IncidentDraft) => (event: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [field]: event.target.value }));
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkIncident(draft);
    if (!checked.ok) {
      setProblems(checked.problems);
      mutation.reset();
      return;
    }
    setProblems({});
    mutation.mutate(checked.body);
  };
  const invalid = (field: keyof IncidentDraft) => (problems[field] !== undefined ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-problem` } : {});
  const hinted = (field: keyof IncidentDraft, hint: string) => ({
    'aria-invalid': problems[field] !== undefined,
    'aria-describedby': problems[field] !== undefined ? `${id}-${field}-problem ${hint}` : hint,
  });
  const zone = userTimeZone();
  const awareUtc = fromLocalInput(draft.awareAt);
  const occurredUtc = fromLocalInput(draft.occurredAt);
  const problemCount = Object.keys(problems).length;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('incidents.recordTitle')}</h2>
      <p className="muted">{t('incidents.recordIntro')}</p>
      <form className="incident-form" onSubmit={submit} noValidate>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-kind`}>{t('incidents.field.kind')}</label>
            <select id={`${id}-kind`} value={draft.kind} onChange={set('kind')} {...invalid('kind')}>
              <option value="">{t('incidents.chooseKind')}</option>
              {INCIDENT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`incidents.kind.${kind}`)}
                </option>
              ))}
            </select>
            <FieldMessage id={`${id}-kind-problem`} problem={problems.kind} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-affected`}>{t('incidents.field.affected')}</label>
            <input
              id={`${id}-affected`}
              inputMode="numeric"
              value={draft.affectedSubjectsEstimate}
              onChange={set('affectedSubjectsEstimate')}
              autoComplete="off"
              {...invalid('affectedSubjectsEstimate')}
            />
            <FieldMessage id={`${id}-affectedSubjectsEstimate-problem`} problem={problems.affectedSubjectsEstimate} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-aware`}>{t('incidents.field.awareAt')}</label>
            <input
              id={`${id}-aware`}
              type="datetime-local"
              step={1}
              value={draft.awareAt}
              onChange={set('awareAt')}
              {...hinted('awareAt', `${id}-aware-utc`)}
            />
            <small id={`${id}-aware-utc`} className="mono" data-utc={awareUtc ?? ''}>
              {awareUtc !== undefined ? t('incidents.inUtc', { utc: awareUtc }) : t('incidents.awareHint')}
            </small>
            <FieldMessage id={`${id}-awareAt-problem`} problem={problems.awareAt} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-occurred`}>{t('incidents.field.occurredAt')}</label>
            <input
              id={`${id}-occurred`}
              type="datetime-local"
              step={1}
              value={draft.occurredAt}
              onChange={set('occurredAt')}
              {...hinted('occurredAt', `${id}-occurred-utc`)}
            />
            <small id={`${id}-occurred-utc`} className="mono">
              {occurredUtc !== undefined ? t('incidents.inUtc', { utc: occurredUtc }) : t('incidents.occurredHint')}
            </small>
            <FieldMessage id={`${id}-occurredAt-problem`} problem={problems.occurredAt} />
          </div>
        </div>
        <p className="muted small">{t('incidents.timeHint', { zone })}</p>
        <div className="field">
          <label htmlFor={`${id}-description`}>{t('incidents.field.description')}</label>
          <textarea
            id={`${id}-description`}
            rows={3}
            value={draft.description}
            onChange={set('description')}
            {...hinted('description', `${id}-description-hint`)}
          />
          <small id={`${id}-description-hint`}>{t('incidents.descriptionHint')}</small>
          <FieldMessage id={`${id}-description-problem`} problem={problems.description} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-categories`}>{t('incidents.field.dataCategories')}</label>
          <input
            id={`${id}-categories`}
            value={draft.dataCategories}
            onChange={set('dataCategories')}
            autoComplete="off"
            {...hinted('dataCategories', `${id}-categories-hint`)}
          />
          <small id={`${id}-categories-hint`}>{t('incidents.categoriesHint')}</small>
          <FieldMessage id={`${id}-dataCategories-problem`} problem={problems.dataCategories} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-consequences`}>{t('incidents.field.consequences')}</label>
          <textarea
            id={`${id}-consequences`}
            rows={2}
            value={draft.likelyConsequences}
            onChange={set('likelyConsequences')}
            {...invalid('likelyConsequences')}
          />
          <FieldMessage id={`${id}-likelyConsequences-problem`} problem={problems.likelyConsequences} />
        </div>
        {problemCount > 0 && (
          <p className="notice warning" role="alert">
            {t('incidents.fixFields', { count: problemCount })}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={mutation.isPending}>
            {mutation.isPending ? t('incidents.recording') : t('incidents.record')}
          </button>
        </div>
      </form>
      {mutation.isError && <ErrorBox error={mutation.error} />}
      {mutation.isSuccess && (
        <p className="notice success" role="status">
          {t('incidents.recorded')}{' '}
          <Link to="/registers/incidents/$incidentId" params={{ incidentId: mutation.data.incidentId }}>
            {t('incidents.openRecorded')}
          </Link>
        </p>
      )}
    </section>
  );
}
