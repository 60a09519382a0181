// Organization administration: the webhook endpoint. The organization's own receiver for its
// notices (deadlines, erasures, warnings): its URL, a signing secret shown once (on creation and
// rotation) and kept nowhere in the browser, a test delivery, removal; and the delivery log of
// every notification of the organization — status, attempts, last error, where it went — with a
// retry for dead letters. Never a payload.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { DELIVERY_STATUSES, deliveriesQuery, webhookQuery, type DeliveryStatus, type WebhookDelivery, type WebhookSecret } from '../admin/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { useDocumentTitle } from '../components/use-document-title';
import { usePermission } from '../components/use-permission';
import { useI18n } from '../i18n/context';
import { AdminNav } from './admin-nav';

export function WebhookPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.hook.title'));
  const [secret, setSecret] = useState<WebhookSecret | null>(null);
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.hook.title')}</h1>
      <p className="lead">{t('admin.hook.intro')}</p>
      {secret?.secret !== undefined && (
        <section className="card notice warning" aria-labelledby="hook-secret" data-webhook-secret>
          <h2 id="hook-secret">{t('admin.hook.secretTitle')}</h2>
          <p>{t('admin.hook.secretHint')}</p>
          <output className="mono break" data-secret>
            {secret.secret}
          </output>
          <p>
            <button
              type="button"
              onClick={() => {
                setSecret(null);
              }}
            >
              {t('admin.keys.stored')}
            </button>
          </p>
        </section>
      )}
      <Endpoint onSecret={setSecret} />
      <Deliveries />
    </div>
  );
}

function useWebhookChange<T, R>(call: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: call, onSettled: () => queryClient.invalidateQueries({ queryKey: ['admin', 'webhook'] }) });
}

function Endpoint({ onSecret }: { readonly onSecret: (secret: WebhookSecret) => void }) {
  const { t } = useI18n();
  const id = useId();
  const settings = useQuery(webhookQuery);
  const canManage = usePermission('organization:manage') === true;
  const [url, setUrl] = useState<string | null>(null);
  const endpoint = settings.data?.endpoint ?? null;
  const shown = url ?? endpoint?.url ?? '';
  const save = useWebhookChange((next: string) => unwrap(api.PUT('/v1/organization/webhook', { body: { url: next } })));
  const rotate = useWebhookChange(() => unwrap(api.POST('/v1/organization/webhook/secret')));
  const remove = useWebhookChange(() => unwrap(api.DELETE('/v1/organization/webhook')));
  const test = useWebhookChange(() => unwrap(api.POST('/v1/organization/webhook/test')));
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-endpoint={endpoint === null ? 'none' : 'set'}>
      <h2 id={`${id}-title`}>{t('admin.hook.endpoint')}</h2>
      {settings.isError && <ErrorBox error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.data && (
        <>
          {endpoint === null ? (
            <p>{settings.data.platformReceiver ? t('admin.hook.noneWithPlatform') : t('admin.hook.noneWithout')}</p>
          ) : (
            <dl className="facts">
              <Fact label={t('admin.hook.url')} mono>
                {endpoint.url}
              </Fact>
              <Fact label={t('admin.hook.secretSetAt')}>
                <DateTime value={endpoint.secretSetAt} />
              </Fact>
              <Fact label={t('admin.hook.updated')}>
                <DateTime value={endpoint.updatedAt} /> <span className="mono small">{endpoint.updatedBy}</span>
              </Fact>
            </dl>
          )}
          {canManage && (
            <form
              className="inline-form"
              onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
                event.preventDefault();
                save.mutate(shown.trim(), {
                  onSuccess: (answer) => {
                    setUrl(null);
                    if (answer.secret !== undefined) onSecret(answer);
                  },
                });
              }}
            >
              <label htmlFor={`${id}-url`}>{t('admin.hook.url')}</label>
              <input
                id={`${id}-url`}
                type="url"
                size={50}
                value={shown}
                placeholder="https://crm.example.com/attest-hooks"
                autoComplete="off"
                onChange={(event) => {
                  setUrl(event.target.value);
                }}
              />
              <button type="submit" disabled={save.isPending || shown.trim() === '' || shown.trim() === endpoint?.url}>
                {endpoint === null ? t('admin.hook.set') : t('admin.hook.change')}
              </button>
            </form>
          )}
          {save.isError && <ErrorBox error={save.error} />}
          {canManage && endpoint !== null && (
            <p className="actions">
              <button
                type="button"
                disabled={test.isPending}
                onClick={() => {
                  test.mutate(undefined);
                }}
              >
                {t('admin.hook.test')}
              </button>{' '}
              <button
                type="button"
                disabled={rotate.isPending}
                onClick={() => {
                  if (window.confirm(t('admin.hook.rotateConfirm'))) rotate.mutate(undefined, { onSuccess: onSecret });
                }}
              >
                {t('admin.hook.rotate')}
              </button>{' '}
              <button
                type="button"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(t('admin.hook.removeConfirm'))) remove.mutate(undefined);
                }}
              >
                {t('admin.hook.remove')}
              </button>
            </p>
          )}
          {test.isSuccess && (
            <p role="status" data-test-queued>
              {t('admin.hook.testQueued')}
            </p>
          )}
          {[test, rotate, remove].map((m, i) => (m.isError ? <ErrorBox key={i} error={m.error} /> : null))}
          <p className="muted small">{t('admin.hook.verifyHint')}</p>
        </>
      )}
    </section>
  );
}

function Deliveries() {
  const { t } = useI18n();
  const id = useId();
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const [pages, setPages] = useState<readonly string[]>([]);
  const before = pages.at(-1) ?? null;
  const deliveries = useQuery(deliveriesQuery(status, before));
  const rows = deliveries.data ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.hook.deliveries')}</h2>
      <p className="muted small">{t('admin.hook.deliveriesHint')}</p>
      <div className="inline-form">
        <label htmlFor={`${id}-status`}>{t('admin.hook.col.status')}</label>
        <select
          id={`${id}-status`}
          value={status ?? ''}
          onChange={(event) => {
            setStatus(DELIVERY_STATUSES.find((s) => s === event.target.value) ?? null);
            setPages([]);
          }}
        >
          <option value="">{t('admin.hook.anyStatus')}</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`admin.hook.status.${s}`)}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void deliveries.refetch()}>
          {t('admin.hook.refresh')}
        </button>
      </div>
      {deliveries.isError && <ErrorBox error={deliveries.error} onRetry={() => void deliveries.refetch()} />}
      <div className="table-scroll fit" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table className="dense" aria-busy={deliveries.isPending || deliveries.isFetching} data-deliveries={rows.length}>
          <caption id={`${id}-caption`} className="visually-hidden">
            {t('admin.hook.deliveries')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.hook.col.created')}</th>
              <th scope="col">{t('admin.hook.col.kind')}</th>
              <th scope="col">{t('admin.hook.col.for')}</th>
              <th scope="col">{t('admin.hook.col.status')}</th>
              <th scope="col">{t('admin.hook.col.attempts')}</th>
              <th scope="col">{t('admin.hook.col.lastError')}</th>
              <th scope="col">{t('admin.hook.col.action')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && !deliveries.isPending && (
              <tr>
                <td colSpan={7}>{t('admin.hook.noDeliveries')}</td>
              </tr>
            )}
            {rows.map((d) => (
              <DeliveryRow key={d.id} delivery={d} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="pager">
        {pages.length > 0 && (
          <button
            type="button"
            onClick={() => {
              setPages(pages.slice(0, -1));
            }}
          >
            {t('admin.hook.newer')}
          </button>
        )}{' '}
        {rows.length === 100 && (
          <button
            type="button"
            onClick={() => {
              const last = rows.at(-1);
              if (last) setPages([...pages, last.id]);
            }}
          >
            {t('admin.hook.older')}
          </button>
        )}
      </p>
    </section>
  );
}

function DeliveryRow({ delivery }: { readonly delivery: WebhookDelivery }) {
  const { t } = useI18n();
  const canManage = usePermission('organization:manage') === true;
  const retry = useWebhookChange(() =>
    unwrap(api.POST('/v1/organization/webhook/deliveries/{deliveryId}/retry', { params: { path: { deliveryId: delivery.id } } })),
  );
  const status = DELIVERY_STATUSES.find((s) => s === delivery.status);
  return (
    <tr data-delivery={delivery.id} data-status={delivery.status}>
      <td>
        <DateTime value={delivery.createdAt} style="compact" />
      </td>
      <td className="mono small">{delivery.kind}</td>
      <td>{t(delivery.audience === 'person' ? 'admin.hook.for.person' : 'admin.hook.for.tenant')}</td>
      <td>
        {status === undefined ? delivery.status : t(`admin.hook.status.${status}`)}
        {delivery.deliveredAt !== null && (
          <>
            {' '}
            <DateTime value={delivery.deliveredAt} style="compact" />
          </>
        )}
        {delivery.destination !== null && (
          <span className="muted small"> ({t(delivery.destination === 'tenant' ? 'admin.hook.to.tenant' : 'admin.hook.to.deployment')})</span>
        )}
      </td>
      <td>{delivery.attempts}</td>
      <td className="mono small">{delivery.lastError ?? '—'}</td>
      <td>
        {canManage && delivery.status === 'dead' && (
          <button
            type="button"
            disabled={retry.isPending}
            onClick={() => {
              retry.mutate(undefined);
            }}
          >
            {t('admin.hook.retry')}
          </button>
        )}
        {retry.isError && <ErrorBox error={retry.error} />}
      </td>
    </tr>
  );
}
