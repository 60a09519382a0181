// One data-subject request: its facts, its timeline, the handler's next steps (each the API's own
// step, its refusal shown beside it), a deletion's progress with the step that failed and a retry
// that continues from there, and the answer's documents once it is done.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { problemOf } from '../api/problem';
import { sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { deletionQuery, requestQuery } from '../requests/queries';
import { clockOf, lightOf, timelineOf, type QueueRequest } from '../requests/search';

const route = getRouteApi('/requests/$requestId');

export function RequestPage() {
  const { t } = useI18n();
  const { requestId } = route.useParams();
  useDocumentTitle(t('request.title'));
  const query = useQuery(requestQuery(requestId));
  return (
    <div className="page wide">
      <p>
        <Link to="/requests">{t('request.back')}</Link>
      </p>
      <h1>{t('request.title')}</h1>
      {query.isPending && <p className="muted">{t('app.loading')}</p>}
      {query.isError && <ErrorBox error={query.error} onRetry={() => void query.refetch()} />}
      {query.data && <RequestView request={query.data} />}
    </div>
  );
}

function RequestView({ request }: { readonly request: QueueRequest }) {
  const { t } = useI18n();
  const light = lightOf(request);
  const clock = clockOf(request);
  const open = request.closedAt === null;
  return (
    <>
      <section className="card" aria-labelledby="request-facts" data-request-page={request.requestId} data-status={request.status}>
        <h2 id="request-facts">{t('request.facts')}</h2>
        <dl className="facts">
          <Fact label={t('requests.col.request')} mono>
            {request.requestId}
          </Fact>
          <Fact label={t('requests.col.type')}>{request.requestType}</Fact>
          <Fact label={t('requests.col.status')}>{request.status}</Fact>
          <Fact label={t('requests.col.due')}>
            <span className={`light light-${light}`}>{t(`requests.light.${light}`)}</span> {request.dueOn}
          </Fact>
          <Fact label={t('requests.col.clock')}>
            {clock.kind === 'extended' ? t('requests.clock.extended', { reason: clock.reason }) : t(`requests.clock.${clock.kind}`)}
          </Fact>
          <Fact label={t('requests.col.channel')}>{request.channel}</Fact>
          <Fact label={t('requests.col.handler')} mono>
            {request.handler ?? t('requests.unassigned')}
          </Fact>
          <Fact label={t('request.identity')}>{request.verificationMethod ?? t('requests.verifiedFalse')}</Fact>
          <Fact label={t('requests.col.duplicates')}>{request.duplicates.length > 0 ? request.duplicates.join(', ') : '—'}</Fact>
        </dl>
      </section>
      <section className="card" aria-labelledby="request-timeline">
        <h2 id="request-timeline">{t('request.timeline')}</h2>
        <ol className="timeline">
          {timelineOf(request).map((step, i) => (
            <li key={i}>
              <DateTime value={step.at} /> — {t(`request.step.${step.kind}`)}
              {step.detail !== null && `: ${step.detail}`}
            </li>
          ))}
        </ol>
      </section>
      {request.requestType === 'deletion' && request.status !== 'received' && <DeletionProgress request={request} />}
      {open && <NextSteps request={request} />}
      {request.status === 'completed' && <Documents request={request} />}
    </>
  );
}

/** A deletion's step and, when a run stopped, which step and why, with a retry that continues from there. */
function DeletionProgress({ request }: { readonly request: QueueRequest }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const progress = useQuery(deletionQuery(request.requestId));
  const retry = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/data-subject-requests/{requestId}/execution', { params: { path: { requestId: request.requestId } }, body: {} })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['requests', 'one', request.requestId] }),
  });
  if (progress.isError && problemOf(progress.error).status === 404) return null;
  const failure = progress.data?.failure ?? null;
  return (
    <section className="card" aria-labelledby="request-deletion" data-deletion-step={progress.data?.step}>
      <h2 id="request-deletion">{t('request.deletion')}</h2>
      {progress.isError && <ErrorBox error={progress.error} />}
      {progress.data && <p>{t('request.deletionStep', { step: t(`request.deletionStep.${progress.data.step}`) })}</p>}
      {failure && (
        <div className="notice warning" role="alert" data-failure={failure.step}>
          <p>{t('request.deletionFailed', { step: t(`request.deletionStep.${failure.step}`), code: failure.code })}</p>
          <p className="small">
            <DateTime value={failure.at} />
          </p>
          <button
            type="button"
            onClick={() => {
              retry.mutate();
            }}
            disabled={retry.isPending}
          >
            {t('request.retry')}
          </button>
        </div>
      )}
      {retry.isError && <ErrorBox error={retry.error} />}
    </section>
  );
}

/** The handler's next steps for an open request; each shows the API's refusal beside it. */
function NextSteps({ request }: { readonly request: QueueRequest }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery);
  const [note, setNote] = useState('');
  const [reasons, setReasons] = useState('');
  const [complaint, setComplaint] = useState('');
  const path = { params: { path: { requestId: request.requestId } } };
  const step = useMutation({
    mutationFn: async (kind: 'identity' | 'code' | 'assign' | 'start' | 'execute' | 'reject'): Promise<unknown> => {
      switch (kind) {
        case 'identity':
          return unwrap(api.POST('/v1/data-subject-requests/{requestId}/identity-checks', { ...path, body: { note } }));
        case 'code':
          return unwrap(api.POST('/v1/data-subject-requests/{requestId}/verification-codes', path));
        case 'assign':
          return unwrap(api.POST('/v1/data-subject-requests/{requestId}/assignment', { ...path, body: { handler: session.data?.actor ?? '' } }));
        case 'start':
          return unwrap(api.POST('/v1/data-subject-requests/{requestId}/start', path));
        case 'execute':
          return unwrap(api.POST('/v1/data-subject-requests/{requestId}/execution', { ...path, body: {} }));
        case 'reject':
          return unwrap(
            api.POST('/v1/data-subject-requests/{requestId}/rejection', {
              ...path,
              body: {
                reasons: reasons
                  .split('\n')
                  .map((r) => r.trim())
                  .filter((r) => r !== ''),
                complaint,
              },
            }),
          );
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['requests'] }),
  });
  const run = (kind: Parameters<typeof step.mutate>[0]) => (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    step.mutate(kind);
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('request.next')}</h2>
      {step.isError && <ErrorBox error={step.error} />}
      <div className="inline-form">
        {request.handler !== session.data?.actor && (
          <form onSubmit={run('assign')}>
            <button type="submit">{t('request.assignToMe')}</button>
          </form>
        )}
        {!request.verified && (
          <form onSubmit={run('code')}>
            <button type="submit">{t('request.sendCode')}</button>
          </form>
        )}
        {request.status === 'verified' && (
          <form onSubmit={run('start')}>
            <button type="submit">{t('request.start')}</button>
          </form>
        )}
        {request.status === 'in-progress' && (
          <form onSubmit={run('execute')}>
            <button type="submit">{t('request.execute')}</button>
          </form>
        )}
      </div>
      {!request.verified && (
        <form onSubmit={run('identity')}>
          <div className="field">
            <label htmlFor={`${id}-note`}>{t('request.identityNote')}</label>
            <input
              id={`${id}-note`}
              value={note}
              onChange={(event) => {
                setNote(event.target.value);
              }}
            />
            <p className="muted small">{t('request.identityHint')}</p>
          </div>
          <button type="submit">{t('request.recordIdentity')}</button>
        </form>
      )}
      <form onSubmit={run('reject')}>
        <div className="field">
          <label htmlFor={`${id}-reasons`}>{t('requests.bulkReasons')}</label>
          <textarea
            id={`${id}-reasons`}
            rows={2}
            value={reasons}
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
        <button type="submit">{t('request.reject')}</button>
      </form>
    </section>
  );
}

/** The answer's documents: the access export (a readable page and JSON), the deletion certificate. */
function Documents({ request }: { readonly request: QueueRequest }) {
  const { t } = useI18n();
  const base = `/v1/data-subject-requests/${request.requestId}`;
  return (
    <section className="card" aria-labelledby="request-documents">
      <h2 id="request-documents">{t('request.documents')}</h2>
      <ul>
        {request.requestType === 'access' && (
          <>
            <li>
              <a href={`${base}/export.html`} target="_blank" rel="noreferrer">
                {t('request.exportPage')}
              </a>
            </li>
            <li>
              <a href={`${base}/export`} download={`access-export-${request.requestId}.json`}>
                {t('request.exportJson')}
              </a>
            </li>
          </>
        )}
        {request.requestType === 'deletion' && (
          <li>
            <a href={`${base}/certificate`} download={`deletion-certificate-${request.requestId}.json`} data-certificate>
              {t('request.certificate')}
            </a>
          </li>
        )}
      </ul>
      {request.outcome && <p>{request.outcome.summary}</p>}
    </section>
  );
}
