// One incident: its facts, the live countdown to the authority deadline, its timeline
// (notifications to the authority and to the data subjects, remedies, closing), and the form to
// record the next update.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { userTimeZone } from '../components/date-time';
import { useDocumentTitle } from '../components/use-document-title';
import type { Incident, IncidentUpdate } from '../incidents/countdown';
import { allowedUpdates, checkUpdate, emptyUpdate, type FieldProblem, type UpdateBody, type UpdateDraft, type UpdateType } from '../incidents/forms';
import { incidentQuery } from '../incidents/queries';
import { incidentState } from '../incidents/search';
import { timeline, type TimelineItem } from '../incidents/timeline';
import { Countdown, FieldMessage } from '../incidents/ui';
import { usePermission } from '../components/use-permission';
import { useNow } from '../incidents/use-now';
import { useI18n } from '../i18n/context';
import { fromLocalInput, toLocalInput } from '../records/search';

const route = getRouteApi('/registers/incidents/$incidentId');

export function IncidentPage() {
  const { t } = useI18n();
  const { incidentId } = route.useParams();
  const query = useQuery(incidentQuery(incidentId));
  const canManage = usePermission('register:manage');
  const incident = query.data;
  useDocumentTitle(incident ? t('incidents.pageTitle', { kind: t(`incidents.kind.${incident.report.kind}`) }) : t('incidents.title'));
  return (
    <div className="page">
      <p>
        <Link to="/registers/incidents">{t('incidents.backToRegister')}</Link>
      </p>
      <h1>{incident ? t('incidents.pageTitle', { kind: t(`incidents.kind.${incident.report.kind}`) }) : t('incidents.title')}</h1>
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
      {incident && (
        <>
          <Deadline incident={incident} />
          <Facts incident={incident} />
          <Timeline incident={incident} />
          {canManage === true && <RecordUpdate incident={incident} />}
          {canManage === false && <p className="notice">{t('incidents.cannotUpdate')}</p>}
        </>
      )}
    </div>
  );
}

function Deadline({ incident }: { readonly incident: Incident }) {
  const { t } = useI18n();
  const now = useNow();
  return (
    <section className="card deadline-card" aria-labelledby="incident-deadline">
      <h2 id="incident-deadline">{t('incidents.deadlineTitle')}</h2>
      <p className="deadline-now">
        <Countdown incident={incident} now={now} />
      </p>
      <dl className="facts">
        <div>
          <dt>{t('incidents.field.awareAt')}</dt>
          <dd>
            <DateTime value={incident.report.awareAt} />
          </dd>
        </div>
        <div>
          <dt>{t('incidents.authorityDeadline')}</dt>
          <dd>
            <DateTime value={incident.authorityDeadline} />
          </dd>
        </div>
        <div>
          <dt>{t('incidents.authorityNotifiedAt')}</dt>
          <dd>
            {incident.authorityNotifiedAt === null ? (
              t('incidents.notYet')
            ) : (
              <>
                <DateTime value={incident.authorityNotifiedAt} />{' '}
                <span className="muted">{incident.notifiedWithinDeadline === true ? t('incidents.inTime') : t('incidents.late')}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('incidents.subjectsNotifiedAt')}</dt>
          <dd>{incident.subjectsNotifiedAt === null ? t('incidents.notYet') : <DateTime value={incident.subjectsNotifiedAt} />}</dd>
        </div>
      </dl>
      <p className="muted small">{t('incidents.deadlineNote')}</p>
    </section>
  );
}

function Facts({ incident }: { readonly incident: Incident }) {
  const { t } = useI18n();
  const { report } = incident;
  return (
    <section className="card" aria-labelledby="incident-facts">
      <h2 id="incident-facts">{t('incidents.factsTitle')}</h2>
      <dl className="facts">
        <div>
          <dt>{t('incidents.field.kind')}</dt>
          <dd>
            {t(`incidents.kind.${report.kind}`)} <span className="muted mono">({report.kind})</span>
          </dd>
        </div>
        <div>
          <dt>{t('incidents.col.state')}</dt>
          <dd>
            {t(`incidents.state.${incidentState(incident)}`)}
            {incident.closedAt !== null && (
              <>
                {' '}
                <DateTime value={incident.closedAt} />
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('incidents.field.description')}</dt>
          <dd className="prewrap">{report.description}</dd>
        </div>
        <div>
          <dt>{t('incidents.field.occurredAt')}</dt>
          <dd>{report.occurredAt === null ? t('incidents.unknown') : <DateTime value={report.occurredAt} />}</dd>
        </div>
        <div>
          <dt>{t('incidents.field.dataCategories')}</dt>
          <dd>
            {report.dataCategories.length === 0 ? (
              t('incidents.none')
            ) : (
              <ul className="tags">
                {report.dataCategories.map((category) => (
                  <li key={category}>{category}</li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('incidents.field.affected')}</dt>
          <dd className="mono">{report.affectedSubjectsEstimate}</dd>
        </div>
        <div>
          <dt>{t('incidents.field.consequences')}</dt>
          <dd className="prewrap">{report.likelyConsequences}</dd>
        </div>
        <div>
          <dt>{t('incidents.reportedBy')}</dt>
          <dd className="mono">{incident.reportedBy}</dd>
        </div>
        <div>
          <dt>{t('incidents.reportedAt')}</dt>
          <dd>
            <DateTime value={incident.reportedAt} />
          </dd>
        </div>
        <div>
          <dt>{t('incidents.incidentId')}</dt>
          <dd className="mono break">{incident.incidentId}</dd>
        </div>
      </dl>
    </section>
  );
}

function UpdateDetails({ update }: { readonly update: IncidentUpdate }) {
  const { t } = useI18n();
  switch (update.type) {
    case 'authority-notified':
      return (
        <>
          {t('incidents.timeline.authorityDetails', { authority: update.authority, reference: update.reference })}
          {update.delayReason !== null && <span className="block">{t('incidents.timeline.delayReason', { reason: update.delayReason })}</span>}
        </>
      );
    case 'subjects-notified':
      return <>{t('incidents.timeline.subjectsDetails', { channel: update.channel, count: update.count })}</>;
    case 'remedy':
      return <span className="prewrap">{update.description}</span>;
    case 'closed':
      return <span className="prewrap">{update.summary}</span>;
  }
}

function itemTitle(item: TimelineItem, t: ReturnType<typeof useI18n>['t']): string {
  return item.kind === 'update' ? t(`incidents.update.${item.update.type}`) : t(`incidents.timeline.${item.kind}`);
}

function Timeline({ incident }: { readonly incident: Incident }) {
  const { t } = useI18n();
  const items = timeline(incident);
  return (
    <section className="card" aria-labelledby="incident-timeline">
      <h2 id="incident-timeline">{t('incidents.timelineTitle')}</h2>
      {incident.updates.length === 0 && <p className="muted">{t('incidents.noUpdates')}</p>}
      <ol className="incident-timeline">
        {items.map((item, i) => (
          <li key={`${item.kind}-${String(i)}`} data-timeline={item.kind === 'update' ? item.update.type : item.kind}>
            <DateTime value={item.at} style="compact" /> <strong>{itemTitle(item, t)}</strong>
            {item.kind === 'update' && (
              <span className="block">
                <UpdateDetails update={item.update} />
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

const postUpdate = (incidentId: string, body: UpdateBody): Promise<Incident> =>
  unwrap(api.POST('/v1/incidents/{incidentId}/updates', { params: { path: { incidentId } }, body }));

/** Now, in the user's zone, as the time field's starting value. */
const nowLocal = (): string => toLocalInput(new Date().toISOString());

function RecordUpdate({ incident }: { readonly incident: Incident }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const allowed = allowedUpdates(incident);
  const [draft, setDraft] = useState<UpdateDraft>(() => emptyUpdate(allowed[0] ?? 'remedy', nowLocal()));
  const [problems, setProblems] = useState<Readonly<Partial<Record<keyof UpdateDraft, FieldProblem>>>>({});
  const [recorded, setRecorded] = useState<UpdateType | null>(null);
  const mutation = useMutation({
    mutationFn: (body: UpdateBody) => postUpdate(incident.incidentId, body),
    onSuccess: async (updated, body) => {
      setRecorded(body.type);
      setDraft(emptyUpdate(allowedUpdates(updated)[0] ?? 'remedy', nowLocal()));
      queryClient.setQueryData(['register', 'incidents', updated.incidentId], updated);
      await queryClient.invalidateQueries({ queryKey: ['register', 'incidents'], exact: true });
    },
  });

  if (allowed.length === 0) {
    return (
      <section className="card" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{t('incidents.updateTitle')}</h2>
        {recorded !== null && (
          <p className="notice success" role="status">
            {t('incidents.updateRecorded', { type: t(`incidents.update.${recorded}`) })}
          </p>
        )}
        <p className="notice">{t('incidents.closedNoUpdates')}</p>
      </section>
    );
  }

  const set = (field: keyof UpdateDraft) => (event: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [field]: event.target.value }));
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkUpdate(draft);
    setRecorded(null);
    if (!checked.ok) {
      setProblems(checked.problems);
      mutation.reset();
      return;
    }
    setProblems({});
    mutation.mutate(checked.body);
  };
  const described = (field: keyof UpdateDraft, hint?: string) => {
    const ids = [problems[field] !== undefined ? `${id}-${field}-problem` : undefined, hint].filter((x) => x !== undefined).join(' ');
    return { 'aria-invalid': problems[field] !== undefined, ...(ids !== '' ? { 'aria-describedby': ids } : {}) };
  };
  const atUtc = fromLocalInput(draft.at);
  const late = draft.type === 'authority-notified' && atUtc !== undefined && Date.parse(atUtc) > Date.parse(incident.authorityDeadline);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('incidents.updateTitle')}</h2>
      {recorded !== null && (
        <p className="notice success" role="status">
          {t('incidents.updateRecorded', { type: t(`incidents.update.${recorded}`) })}
        </p>
      )}
      <form className="incident-form" onSubmit={submit} noValidate>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-type`}>{t('incidents.field.updateType')}</label>
            <select
              id={`${id}-type`}
              value={draft.type}
              onChange={(event) => {
                const type = allowed.find((a) => a === event.target.value);
                if (type !== undefined) setDraft((d) => ({ ...d, type }));
                setProblems({});
              }}
            >
              {allowed.map((type) => (
                <option key={type} value={type}>
                  {t(`incidents.update.${type}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-at`}>{t('incidents.field.at')}</label>
            <input id={`${id}-at`} type="datetime-local" step={1} value={draft.at} onChange={set('at')} {...described('at', `${id}-at-utc`)} />
            <small id={`${id}-at-utc`} className="mono">
              {atUtc !== undefined ? t('incidents.inUtc', { utc: atUtc }) : t('incidents.atHint')}
            </small>
            <FieldMessage id={`${id}-at-problem`} problem={problems.at} />
          </div>
        </div>
        <p className="muted small">{t('incidents.updateTimeHint', { zone: userTimeZone() })}</p>
        {draft.type === 'authority-notified' && (
          <>
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`${id}-authority`}>{t('incidents.field.authority')}</label>
                <input id={`${id}-authority`} value={draft.authority} onChange={set('authority')} autoComplete="off" {...described('authority')} />
                <FieldMessage id={`${id}-authority-problem`} problem={problems.authority} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-reference`}>{t('incidents.field.reference')}</label>
                <input id={`${id}-reference`} value={draft.reference} onChange={set('reference')} autoComplete="off" {...described('reference')} />
                <FieldMessage id={`${id}-reference-problem`} problem={problems.reference} />
              </div>
            </div>
            <div className="field">
              <label htmlFor={`${id}-delay`}>{t('incidents.field.delayReason')}</label>
              <textarea id={`${id}-delay`} rows={2} value={draft.delayReason} onChange={set('delayReason')} {...described('delayReason', `${id}-delay-hint`)} />
              <small id={`${id}-delay-hint`}>{t('incidents.delayHint')}</small>
              <FieldMessage id={`${id}-delayReason-problem`} problem={problems.delayReason} />
            </div>
            {late && <p className="notice warning">{t('incidents.lateWarning')}</p>}
          </>
        )}
        {draft.type === 'subjects-notified' && (
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${id}-channel`}>{t('incidents.field.channel')}</label>
              <input id={`${id}-channel`} value={draft.channel} onChange={set('channel')} autoComplete="off" {...described('channel', `${id}-channel-hint`)} />
              <small id={`${id}-channel-hint`}>{t('incidents.channelHint')}</small>
              <FieldMessage id={`${id}-channel-problem`} problem={problems.channel} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-count`}>{t('incidents.field.count')}</label>
              <input id={`${id}-count`} inputMode="numeric" value={draft.count} onChange={set('count')} autoComplete="off" {...described('count')} />
              <FieldMessage id={`${id}-count-problem`} problem={problems.count} />
            </div>
          </div>
        )}
        {draft.type === 'remedy' && (
          <div className="field">
            <label htmlFor={`${id}-description`}>{t('incidents.field.remedy')}</label>
            <textarea id={`${id}-description`} rows={3} value={draft.description} onChange={set('description')} {...described('description')} />
            <FieldMessage id={`${id}-description-problem`} problem={problems.description} />
          </div>
        )}
        {draft.type === 'closed' && (
          <div className="field">
            <label htmlFor={`${id}-summary`}>{t('incidents.field.summary')}</label>
            <textarea id={`${id}-summary`} rows={3} value={draft.summary} onChange={set('summary')} {...described('summary', `${id}-summary-hint`)} />
            <small id={`${id}-summary-hint`}>{t('incidents.closeHint')}</small>
            <FieldMessage id={`${id}-summary-problem`} problem={problems.summary} />
          </div>
        )}
        {Object.keys(problems).length > 0 && (
          <p className="notice warning" role="alert">
            {t('incidents.fixFields', { count: Object.keys(problems).length })}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={mutation.isPending}>
            {mutation.isPending ? t('incidents.recording') : t('incidents.recordUpdate')}
          </button>
        </div>
      </form>
      {mutation.isError && <ErrorBox error={mutation.error} />}
    </section>
  );
}
