// Organization administration: the tenant's API keys. Create one (the secret is shown once, here,
// and kept nowhere), list them with their last use, rotate one (a new key with the same roles, the
// old one working on for a chosen grace period), revoke one after a confirmation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import {
  apiKeysQuery,
  KEY_ROLES,
  keyState,
  ROTATION_GRACE_HOURS,
  type ApiKey,
  type IssuedApiKey,
  type KeyRole,
  type KeyState,
  type RotatedApiKey,
} from '../admin/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { AdminNav } from './admin-nav';

export function ApiKeysPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.keys.title'));
  const [issued, setIssued] = useState<IssuedApiKey | RotatedApiKey | null>(null);
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.keys.title')}</h1>
      <p className="lead">{t('admin.keys.intro')}</p>
      {issued && (
        <IssuedKey
          issued={issued}
          onDone={() => {
            setIssued(null);
          }}
        />
      )}
      <CreateKey onIssued={setIssued} />
      <KeyList onIssued={setIssued} />
    </div>
  );
}

/** The secret of a new key: shown once, in this page's memory only, until the person says it is stored. */
function IssuedKey({ issued, onDone }: { readonly issued: IssuedApiKey | RotatedApiKey; readonly onDone: () => void }) {
  const { t, tx } = useI18n();
  return (
    <section className="card notice warning" aria-labelledby="issued-key" data-issued-key={issued.keyId}>
      <h2 id="issued-key">{t('admin.keys.issuedTitle', { label: issued.label })}</h2>
      <p>{t('admin.keys.issuedHint')}</p>
      {'replaces' in issued && (
        <p data-replaces={issued.replaces}>{tx('admin.keys.replacesHint', { until: <DateTime value={issued.replacedKeyExpiresAt} /> })}</p>
      )}
      <output className="mono break" data-secret>
        {issued.key ?? t('admin.keys.noSecret')}
      </output>
      <p>
        <button type="button" onClick={onDone}>
          {t('admin.keys.stored')}
        </button>
      </p>
    </section>
  );
}

function CreateKey({ onIssued }: { readonly onIssued: (issued: IssuedApiKey) => void }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const [roles, setRoles] = useState<ReadonlySet<KeyRole>>(new Set(['service']));
  const [days, setDays] = useState('90');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/api-keys', { body: { label, roles: [...roles], expiresInDays: Number(days) } })),
    onSuccess: async (issued) => {
      setLabel('');
      onIssued(issued);
      await queryClient.invalidateQueries({ queryKey: apiKeysQuery.queryKey });
    },
  });
  const toggle = (role: KeyRole) => {
    setRoles((previous) => {
      const next = new Set(previous);
      if (next.has(role)) next.delete(role);
      else next.add(role);
      return next;
    });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.keys.create')}</h2>
      <form
        onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-label`}>{t('admin.keys.label')}</label>
          <input
            id={`${id}-label`}
            value={label}
            required
            maxLength={64}
            onChange={(event) => {
              setLabel(event.target.value);
            }}
          />
          <p className="muted small">{t('admin.keys.labelHint')}</p>
        </div>
        <fieldset>
          <legend>{t('admin.keys.roles')}</legend>
          {KEY_ROLES.map((role) => (
            <label key={role} className="checkbox">
              <input
                type="checkbox"
                checked={roles.has(role)}
                onChange={() => {
                  toggle(role);
                }}
              />{' '}
              {role}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-days`}>{t('admin.keys.expiresInDays')}</label>
          <input
            id={`${id}-days`}
            type="number"
            min={1}
            max={365}
            value={days}
            onChange={(event) => {
              setDays(event.target.value);
            }}
          />
        </div>
        <button type="submit" disabled={create.isPending}>
          {t('admin.keys.createButton')}
        </button>
      </form>
      {create.isError && <ErrorBox error={create.error} />}
    </section>
  );
}

function KeyList({ onIssued }: { readonly onIssued: (issued: RotatedApiKey) => void }) {
  const { t } = useI18n();
  const id = useId();
  const keys = useQuery(apiKeysQuery);
  const now = Date.now();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.keys.list')}</h2>
      {keys.isPending && <p className="muted">{t('app.loading')}</p>}
      {keys.isError && <ErrorBox error={keys.error} onRetry={() => void keys.refetch()} />}
      {keys.data && keys.data.length === 0 && <p className="notice">{t('admin.keys.none')}</p>}
      {keys.data && keys.data.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="dense">
            <caption id={`${id}-caption`}>{t('admin.keys.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.keys.label')}</th>
                <th scope="col">{t('admin.keys.prefix')}</th>
                <th scope="col">{t('admin.keys.roles')}</th>
                <th scope="col">{t('admin.keys.issued')}</th>
                <th scope="col">{t('admin.keys.expires')}</th>
                <th scope="col">{t('admin.keys.lastUsed')}</th>
                <th scope="col">{t('admin.keys.state')}</th>
                <th scope="col">{t('admin.keys.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <KeyRow key={key.keyId} apiKey={key} state={keyState(key, now)} onIssued={onIssued} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function KeyRow({ apiKey, state, onIssued }: { readonly apiKey: ApiKey; readonly state: KeyState; readonly onIssued: (issued: RotatedApiKey) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<'revoke' | 'rotate' | null>(null);
  const [graceHours, setGraceHours] = useState<number>(24);
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/api-keys/{keyId}/rotate', { params: { path: { keyId: apiKey.keyId } }, body: { graceHours } })),
    onSuccess: async (rotated) => {
      setConfirming(null);
      onIssued(rotated);
      await queryClient.invalidateQueries({ queryKey: apiKeysQuery.queryKey });
    },
  });
  const [reason, setReason] = useState('');
  const id = useId();
  const revoke = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/api-keys/{keyId}/revoke', { params: { path: { keyId: apiKey.keyId } }, body: { reason } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysQuery.queryKey }),
  });
  return (
    <tr data-key={apiKey.keyId} data-state={state}>
      <td>{apiKey.label}</td>
      <td className="mono">{apiKey.prefix}</td>
      <td>{apiKey.roles.join(', ')}</td>
      <td>
        <DateTime value={apiKey.issuedAt} />
      </td>
      <td>
        <DateTime value={apiKey.expiresAt} />
      </td>
      <td data-last-used={apiKey.lastUsedAt ?? 'never'}>{apiKey.lastUsedAt === null ? t('admin.keys.neverUsed') : <DateTime value={apiKey.lastUsedAt} />}</td>
      <td>{t(`admin.keys.state.${state}`)}</td>
      <td>
        {state === 'active' && confirming === null && (
          <>
            <button
              type="button"
              onClick={() => {
                setConfirming('rotate');
              }}
            >
              {t('admin.keys.rotate', { label: apiKey.label })}
            </button>{' '}
          </>
        )}
        {(state === 'active' || state === 'replaced') && confirming === null && (
          <button
            type="button"
            onClick={() => {
              setConfirming('revoke');
            }}
          >
            {t('admin.keys.revoke', { label: apiKey.label })}
          </button>
        )}
        {state === 'active' && confirming === 'rotate' && (
          <>
            <span>{t('admin.keys.rotateHint')}</span> <label htmlFor={`${id}-grace`}>{t('admin.keys.grace')}</label>{' '}
            <select
              id={`${id}-grace`}
              value={graceHours}
              onChange={(event) => {
                setGraceHours(Number(event.target.value));
              }}
            >
              {ROTATION_GRACE_HOURS.map((hours) => (
                <option key={hours} value={hours}>
                  {hours === 0 ? t('admin.keys.graceNone') : t('admin.keys.graceHours', { hours })}
                </option>
              ))}
            </select>{' '}
            <ConfirmOrKeep
              yes={t('admin.keys.rotateYes', { label: apiKey.label })}
              pending={rotate.isPending}
              onYes={() => {
                rotate.mutate();
              }}
              onKeep={() => {
                setConfirming(null);
              }}
            />
          </>
        )}
        {rotate.isError && <ErrorBox error={rotate.error} />}
        {(state === 'active' || state === 'replaced') && confirming === 'revoke' && (
          <>
            <span>{t('admin.keys.revokeConfirm')}</span> <label htmlFor={`${id}-reason`}>{t('admin.keys.revokeReason')}</label>{' '}
            <input
              id={`${id}-reason`}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />{' '}
            <ConfirmOrKeep
              yes={t('admin.keys.revokeYes', { label: apiKey.label })}
              pending={revoke.isPending}
              onYes={() => {
                revoke.mutate();
              }}
              onKeep={() => {
                setConfirming(null);
              }}
            />
          </>
        )}
        {revoke.isError && <ErrorBox error={revoke.error} />}
      </td>
    </tr>
  );
}

/** A confirmed action's two buttons: do it, or keep things as they are. */
function ConfirmOrKeep({
  yes,
  pending,
  onYes,
  onKeep,
}: {
  readonly yes: string;
  readonly pending: boolean;
  readonly onYes: () => void;
  readonly onKeep: () => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <button type="button" onClick={onYes} disabled={pending}>
        {yes}
      </button>{' '}
      <button type="button" onClick={onKeep}>
        {t('admin.keys.revokeNo')}
      </button>
    </>
  );
}
