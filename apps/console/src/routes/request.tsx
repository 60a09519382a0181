// One data-subject request: its facts, its timeline, the handler's next steps (each the API's own
// step, its refusal shown beside it), a deletion's progress with the step that failed and a retry
// that continues from there, and the answer's documents once it is done.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { problemOf } from '../api/problem';
import { sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { StepForm } from '../components/StepForm';
import { RequestTimeline } from '../components/RequestTimeline';
import { RevealContact } from '../components/RevealContact';
import { usePermission } from '../components/use-permission';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { extensionBody, IDENTITY_METHODS, identityNote, reasonLines, type IdentityMethod } from '../requests/forms';
import { deletionQuery, requestQuery } from '../requests/queries';
import { clockOf, lightOf, type QueueRequest } from '../requests/search';

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
      {query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
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
  const canManage = usePermission('requests:manage') === true;
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
          <Fact label={t('request.contact')}>
            <RevealContact requestId={request.requestId} />
          </Fact>
          <Fact label={t('requests.col.handler')} mono>
            {request.handler ?? t('requests.unassigned')}
          </Fact>
          <Fact label={t('request.identity')}>{request.verificationMethod ?? t('requests.verifiedFalse')}</Fact>
          <Fact label={t('requests.col.duplicates')}>{request.duplicates.length > 0 ? request.duplicates.join(', ') : '—'}</Fact>
        </dl>
      </section>
      <RequestTimeline requestId={request.requestId} canComment={canManage} />
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

/** A labelled input of a step form. */
function Input({
  id,
  label,
  value,
  onChange,
  type = 'text',
  hint,
}: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly type?: string;
  readonly hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        autoComplete="off"
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
      {hint !== undefined && (
        <p id={`${id}-hint`} className="muted small">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The handler's next steps for an open request; each is its own form with the API's refusal beside it. */
function NextSteps({ request }: { readonly request: QueueRequest }) {
  const { t } = useI18n();
  const id = useId();
  const session = useQuery(sessionQuery);
  const [challenge, setChallenge] = useState<{ challengeId: string; expiresAt: string } | null>(null);
  const [code, setCode] = useState('');
  const [method, setMethod] = useState<IdentityMethod>('id-seen-in-person');
  const [reference, setReference] = useState('');
  const [escalation, setEscalation] = useState('');
  const [extension, setExtension] = useState({ reason: '', dueOn: request.maxExtendedDueOn ?? '', toldAt: '' });
  const [hold, setHold] = useState({ field: '', reason: '', until: '' });
  const [reasons, setReasons] = useState('');
  const [complaint, setComplaint] = useState('');
  const path = { params: { path: { requestId: request.requestId } } };
  const holdComplete = hold.field.trim() !== '' && hold.reason.trim() !== '' && hold.until !== '';
  const holdEmpty = hold.field.trim() === '' && hold.reason.trim() === '' && hold.until === '';
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('request.next')}</h2>
      <div className="inline-form">
        {request.handler !== session.data?.actor && (
          <StepForm
            refresh={['requests']}
            step="assign"
            title={t('request.assignToMe')}
            submit={t('request.assignToMe')}
            run={() =>
              session.data ? unwrap(api.POST('/v1/data-subject-requests/{requestId}/assignment', { ...path, body: { handler: session.data.actor } })) : null
            }
          />
        )}
        {request.status === 'verified' && (
          <StepForm
            refresh={['requests']}
            step="start"
            title={t('request.start')}
            submit={t('request.start')}
            run={() => unwrap(api.POST('/v1/data-subject-requests/{requestId}/start', path))}
          />
        )}
      </div>
      {!request.verified && (
        <>
          <h3>{t('request.verify')}</h3>
          <StepForm
            refresh={['requests']}
            step="send-code"
            title={t('request.sendCode')}
            submit={t('request.sendCode')}
            run={() => unwrap(api.POST('/v1/data-subject-requests/{requestId}/verification-codes', path))}
            onDone={(answer) => {
              if (isChallenge(answer)) setChallenge(answer);
            }}
          >
            {challenge && (
              <p role="status" data-challenge={challenge.challengeId}>
                {t('request.codeSent')} <DateTime value={challenge.expiresAt} />
              </p>
            )}
          </StepForm>
          <StepForm
            refresh={['requests']}
            step="check-code"
            title={t('request.checkCode')}
            submit={t('request.checkCode')}
            run={() =>
              challenge === null || code.trim() === ''
                ? null
                : unwrap(
                    api.POST('/v1/data-subject-requests/{requestId}/verification', {
                      ...path,
                      body: { challengeId: challenge.challengeId, code: code.trim() },
                    }),
                  )
            }
          >
            <Input id={`${id}-code`} label={t('request.code')} value={code} onChange={setCode} hint={t('request.codeHint')} />
          </StepForm>
          <StepForm
            refresh={['requests']}
            step="identity"
            title={t('request.recordIdentity')}
            submit={t('request.recordIdentity')}
            run={() => {
              const note = identityNote(t(`request.method.${method}`), reference);
              return note === null ? null : unwrap(api.POST('/v1/data-subject-requests/{requestId}/identity-checks', { ...path, body: { note } }));
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-method`}>{t('request.identityMethod')}</label>
              <select
                id={`${id}-method`}
                value={method}
                onChange={(event) => {
                  setMethod(IDENTITY_METHODS.find((m) => m === event.target.value) ?? 'other');
                }}
              >
                {IDENTITY_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {t(`request.method.${m}`)}
                  </option>
                ))}
              </select>
            </div>
            <Input id={`${id}-reference`} label={t('request.identityReference')} value={reference} onChange={setReference} hint={t('request.identityHint')} />
          </StepForm>
        </>
      )}
      {request.status === 'in-progress' && (
        <>
          <h3>{t('request.execute')}</h3>
          <StepForm
            refresh={['requests']}
            step="execute"
            title={t('request.execute')}
            submit={t('request.execute')}
            run={() => {
              if (!holdEmpty && !holdComplete) return null;
              const body = holdComplete ? { legalHolds: [{ field: hold.field.trim(), reason: hold.reason.trim(), until: hold.until }] } : {};
              return unwrap(api.POST('/v1/data-subject-requests/{requestId}/execution', { ...path, body }));
            }}
          >
            {request.requestType === 'deletion' && (
              <fieldset>
                <legend>{t('request.hold')}</legend>
                <p className="muted small">{t('request.holdHint')}</p>
                <Input
                  id={`${id}-hold-field`}
                  label={t('request.holdField')}
                  value={hold.field}
                  onChange={(field) => {
                    setHold({ ...hold, field });
                  }}
                />
                <Input
                  id={`${id}-hold-reason`}
                  label={t('request.holdReason')}
                  value={hold.reason}
                  onChange={(reason) => {
                    setHold({ ...hold, reason });
                  }}
                />
                <Input
                  id={`${id}-hold-until`}
                  label={t('request.holdUntil')}
                  type="date"
                  value={hold.until}
                  onChange={(until) => {
                    setHold({ ...hold, until });
                  }}
                />
              </fieldset>
            )}
          </StepForm>
        </>
      )}
      {request.extension === null && request.maxExtendedDueOn !== null && (
        <>
          <h3>{t('request.extend')}</h3>
          <StepForm
            refresh={['requests']}
            step="extend"
            title={t('request.extend')}
            submit={t('request.extend')}
            run={() => {
              const body = extensionBody(extension.reason, extension.dueOn, extension.toldAt);
              return body === null ? null : unwrap(api.POST('/v1/data-subject-requests/{requestId}/extension', { ...path, body }));
            }}
          >
            <p className="muted small">{t('request.extendHint', { max: request.maxExtendedDueOn, by: request.extensionNoticeBy ?? '—' })}</p>
            <Input
              id={`${id}-ext-reason`}
              label={t('request.extendReason')}
              value={extension.reason}
              onChange={(reason) => {
                setExtension({ ...extension, reason });
              }}
            />
            <Input
              id={`${id}-ext-due`}
              label={t('request.extendDueOn')}
              type="date"
              value={extension.dueOn}
              onChange={(dueOn) => {
                setExtension({ ...extension, dueOn });
              }}
            />
            <Input
              id={`${id}-ext-told`}
              label={t('request.extendToldAt')}
              type="datetime-local"
              value={extension.toldAt}
              onChange={(toldAt) => {
                setExtension({ ...extension, toldAt });
              }}
            />
          </StepForm>
        </>
      )}
      <h3>{t('request.escalate')}</h3>
      <StepForm
        refresh={['requests']}
        step="escalate"
        title={t('request.escalate')}
        submit={t('request.escalate')}
        run={() =>
          escalation.trim() === ''
            ? null
            : unwrap(api.POST('/v1/data-subject-requests/{requestId}/escalations', { ...path, body: { reason: escalation.trim() } }))
        }
      >
        <Input id={`${id}-escalation`} label={t('request.escalateReason')} value={escalation} onChange={setEscalation} />
      </StepForm>
      <h3>{t('request.reject')}</h3>
      <StepForm
        refresh={['requests']}
        step="reject"
        title={t('request.reject')}
        submit={t('request.reject')}
        run={() => {
          const lines = reasonLines(reasons);
          return lines.length === 0 || complaint.trim() === ''
            ? null
            : unwrap(api.POST('/v1/data-subject-requests/{requestId}/rejection', { ...path, body: { reasons: lines, complaint: complaint.trim() } }));
        }}
      >
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
        <Input id={`${id}-complaint`} label={t('requests.bulkComplaint')} value={complaint} onChange={setComplaint} />
      </StepForm>
    </section>
  );
}

const isChallenge = (answer: unknown): answer is { challengeId: string; expiresAt: string } =>
  typeof answer === 'object' &&
  answer !== null &&
  'challengeId' in answer &&
  typeof answer.challengeId === 'string' &&
  'expiresAt' in answer &&
  typeof answer.expiresAt === 'string';

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
          <>
            <li>
              <Link to="/requests/$requestId/certificate" params={{ requestId: request.requestId }} data-certificate>
                {t('request.certificatePage')}
              </Link>
            </li>
            <li>
              <a href={`${base}/certificate`} download={`deletion-certificate-${request.requestId}.json`}>
                {t('request.certificate')}
              </a>
            </li>
          </>
        )}
      </ul>
      {request.outcome && <p>{request.outcome.summary}</p>}
    </section>
  );
}
