// One account of any tenant, for the platform operator: its facts, holds and status history, and
// the operator's decisions on it — verify or reject an enterprise with reasons (A1), record and
// release holds (A9), approve a cancellation (A8), restrict, suspend, revoke or reactivate with a
// reason (A6, A7). Each is a small form with the API's refusal beside it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { StepForm } from '../components/StepForm';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import {
  accountQuery,
  HOLD_KINDS,
  REJECTION_REASONS,
  STATUS_ACTIONS,
  STATUS_REASONS,
  type HoldKind,
  type PlatformAccountDetail,
  type RejectionReason,
  type StatusAction,
  type StatusReason,
} from '../platform/queries';
import { PlatformNav } from './platform-nav';

const route = getRouteApi('/platform/accounts/$accountId');

export function PlatformAccountPage() {
  const { t } = useI18n();
  useDocumentTitle(t('platform.account.title'));
  const { accountId } = route.useParams();
  const account = useQuery(accountQuery(accountId));
  return (
    <div className="page wide">
      <PlatformNav />
      <p>
        <Link to="/platform/accounts" search={{ queue: 'verification' }}>
          {t('platform.account.back')}
        </Link>
      </p>
      <h1>{account.data?.legalName ?? t('platform.account.title')}</h1>
      {account.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {account.isError && <ErrorBox error={account.error} onRetry={() => void account.refetch()} />}
      {account.data && <AccountView account={account.data} />}
    </div>
  );
}

function AccountView({ account }: { readonly account: PlatformAccountDetail }) {
  const { t } = useI18n();
  const open = account.status !== 'cancelled' && account.status !== 'unbound' && account.status !== 'invitation-closed';
  return (
    <>
      <section
        className="card"
        aria-labelledby="account-facts"
        data-account-page={account.accountId}
        data-status={account.status}
        data-verification={account.verification ?? ''}
      >
        <h2 id="account-facts">{t('platform.account.facts')}</h2>
        <dl className="facts">
          <Fact label={t('platform.accounts.col.account')} mono>
            {account.accountId}
          </Fact>
          <Fact label={t('platform.accounts.col.tenant')} mono>
            {account.tenantId}
          </Fact>
          <Fact label={t('platform.accounts.col.kind')}>{account.kind}</Fact>
          <Fact label={t('platform.accounts.col.status')}>{account.status}</Fact>
          <Fact label={t('platform.accounts.col.verification')}>{account.verification ?? '—'}</Fact>
          {account.kind === 'enterprise' && (
            <Fact label={t('platform.account.evidence')}>
              {account.licenceEvidence ? (
                <span data-evidence>
                  <span className="mono break">{account.licenceEvidence.documentRef}</span>
                  <br />
                  <span className="muted small">
                    SHA-256 <span className="mono break">{account.licenceEvidence.sha256}</span>
                  </span>
                </span>
              ) : (
                '—'
              )}
            </Fact>
          )}
          <Fact label={t('platform.account.cancellation')}>{account.cancellationRequested ? t('platform.account.cancellationRequested') : '—'}</Fact>
          <Fact label={t('platform.account.created')}>
            <DateTime value={account.createdAt} />
          </Fact>
        </dl>
      </section>
      <section className="card" aria-labelledby="account-holds">
        <h2 id="account-holds">{t('platform.account.holds')}</h2>
        <p className="muted small">{t('platform.account.holdsHint')}</p>
        {account.holds.length === 0 ? (
          <p data-holds="0">{t('platform.account.noHolds')}</p>
        ) : (
          <ul data-holds={account.holds.length}>
            {account.holds.map((hold) => (
              <li key={hold.holdId}>
                <strong>{t(`platform.hold.${hold.kind}`)}</strong> — <span className="mono">{hold.reference}</span>{' '}
                <ReleaseHold accountId={account.accountId} holdId={hold.holdId} />
              </li>
            ))}
          </ul>
        )}
        {open && <PlaceHold accountId={account.accountId} />}
      </section>
      {open && <Decisions account={account} />}
      <section className="card" aria-labelledby="account-history">
        <h2 id="account-history">{t('platform.account.history')}</h2>
        <ol className="timeline" data-history={account.history.length}>
          {account.history.map((change, i) => (
            <li key={`${change.at}-${String(i)}`}>
              <DateTime value={change.at} /> — <strong>{change.status}</strong> <span className="muted">({change.event})</span>
              {change.reason !== null && `: ${change.reason}`}{' '}
              <span className="muted">
                {t('timeline.by')} <span className="mono">{change.decidedBy}</span>
              </span>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

function ReleaseHold({ accountId, holdId }: { readonly accountId: string; readonly holdId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const release = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/platform/accounts/{accountId}/holds/{holdId}/release', { params: { path: { accountId, holdId } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['platform'] }),
  });
  return (
    <>
      <button
        type="button"
        className="link-button"
        disabled={release.isPending}
        onClick={() => {
          if (window.confirm(t('platform.account.releaseConfirm'))) release.mutate();
        }}
      >
        {t('platform.account.release')}
      </button>
      {release.isError && <ErrorBox error={release.error} />}
    </>
  );
}

function PlaceHold({ accountId }: { readonly accountId: string }) {
  const { t } = useI18n();
  const id = useId();
  const [kind, setKind] = useState<HoldKind>('dispute');
  const [reference, setReference] = useState('');
  return (
    <StepForm
      refresh={['platform']}
      heading
      step="hold"
      title={t('platform.account.placeHold')}
      submit={t('platform.account.placeHold')}
      run={() =>
        reference.trim() === ''
          ? null
          : unwrap(api.POST('/v1/platform/accounts/{accountId}/holds', { params: { path: { accountId } }, body: { kind, reference: reference.trim() } })).then(
              () => {
                setReference('');
              },
            )
      }
    >
      <div className="field">
        <label htmlFor={`${id}-kind`}>{t('platform.account.holdKind')}</label>
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(event) => {
            setKind(HOLD_KINDS.find((k) => k === event.target.value) ?? 'dispute');
          }}
        >
          {HOLD_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`platform.hold.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-reference`}>{t('platform.account.holdReference')}</label>
        <input
          id={`${id}-reference`}
          value={reference}
          className="mono"
          autoComplete="off"
          aria-describedby={`${id}-reference-hint`}
          onChange={(event) => {
            setReference(event.target.value);
          }}
        />
        <p id={`${id}-reference-hint`} className="muted small">
          {t('platform.account.holdReferenceHint')}
        </p>
      </div>
    </StepForm>
  );
}

function Decisions({ account }: { readonly account: PlatformAccountDetail }) {
  const { t } = useI18n();
  const id = useId();
  const path = { params: { path: { accountId: account.accountId } } };
  const [rejection, setRejection] = useState<ReadonlySet<RejectionReason>>(new Set());
  const [action, setAction] = useState<StatusAction>('restrict');
  const [reason, setReason] = useState<StatusReason>('violation');
  const [note, setNote] = useState('');
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('platform.account.decisions')}</h2>
      {account.kind === 'enterprise' && account.verification === 'pending' && (
        <>
          <StepForm
            refresh={['platform']}
            heading
            step="verify"
            title={t('platform.account.verify')}
            submit={t('platform.account.verify')}
            run={() => unwrap(api.POST('/v1/platform/accounts/{accountId}/verification', { ...path, body: { outcome: 'verified' } }))}
          >
            <p className="muted small">{t('platform.account.verifyHint')}</p>
          </StepForm>
          <StepForm
            refresh={['platform']}
            heading
            step="reject"
            title={t('platform.account.reject')}
            submit={t('platform.account.reject')}
            run={() =>
              rejection.size === 0
                ? null
                : unwrap(api.POST('/v1/platform/accounts/{accountId}/verification', { ...path, body: { outcome: 'rejected', reasons: [...rejection] } }))
            }
          >
            <fieldset>
              <legend>{t('platform.account.rejectReasons')}</legend>
              {REJECTION_REASONS.map((reason) => (
                <label key={reason} className="checkbox">
                  <input
                    type="checkbox"
                    checked={rejection.has(reason)}
                    onChange={() => {
                      setRejection((previous) => {
                        const next = new Set(previous);
                        if (next.has(reason)) next.delete(reason);
                        else next.add(reason);
                        return next;
                      });
                    }}
                  />{' '}
                  {t(`platform.rejection.${reason}`)}
                </label>
              ))}
            </fieldset>
          </StepForm>
        </>
      )}
      {account.cancellationRequested && (
        <StepForm
          refresh={['platform']}
          heading
          step="approve-cancellation"
          title={t('platform.account.approveCancellation')}
          submit={t('platform.account.approveCancellation')}
          run={() =>
            window.confirm(t('platform.account.approveConfirm'))
              ? unwrap(api.POST('/v1/platform/accounts/{accountId}/cancellation/approve', path))
              : Promise.resolve(undefined)
          }
        >
          <p className="muted small">{t('platform.account.approveHint')}</p>
        </StepForm>
      )}
      <StepForm
        refresh={['platform']}
        heading
        step="status"
        title={t('platform.account.status')}
        submit={t('platform.account.statusSubmit')}
        run={() =>
          unwrap(
            api.POST('/v1/platform/accounts/{accountId}/status', {
              ...path,
              body: { action, reason, ...(note.trim() === '' ? {} : { note: note.trim() }) },
            }),
          )
        }
      >
        <div className="field">
          <label htmlFor={`${id}-action`}>{t('platform.account.action')}</label>
          <select
            id={`${id}-action`}
            value={action}
            onChange={(event) => {
              setAction(STATUS_ACTIONS.find((a) => a === event.target.value) ?? 'restrict');
            }}
          >
            {STATUS_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`platform.action.${a}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t('platform.account.reason')}</label>
          <select
            id={`${id}-reason`}
            value={reason}
            onChange={(event) => {
              setReason(STATUS_REASONS.find((r) => r === event.target.value) ?? 'other');
            }}
          >
            {STATUS_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`platform.reason.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-note`}>{t('platform.account.note')}</label>
          <input
            id={`${id}-note`}
            value={note}
            autoComplete="off"
            onChange={(event) => {
              setNote(event.target.value);
            }}
          />
        </div>
      </StepForm>
    </section>
  );
}
