// Legal holds on the processing record: while one is active, the daily purge keeps every body of
// this organization's record that is past its retention (POST /v1/processing-record/legal-holds;
// released with …/{holdId}/release, after a confirmation here).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { RegistersNav } from '../components/RegistersNav';
import { useDocumentTitle } from '../components/use-document-title';
import { checkHoldReason, type FieldProblem } from '../incidents/forms';
import { legalHoldsQuery } from '../incidents/queries';
import { FieldMessage } from '../incidents/ui';
import { usePermission } from '../components/use-permission';
import { useI18n } from '../i18n/context';

type LegalHold = components['schemas']['LegalHold'];

const HOLDS_KEY = ['processing-record', 'legal-holds'] as const;

export function LegalHoldsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('incidents.holds.title'));
  const canRead = usePermission('processing-record:read');
  const canManage = usePermission('processing-record:manage');
  // The last thing done here (placed or released), shown once above the list.
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="page wide">
      <RegistersNav />
      <h1>{t('incidents.holds.title')}</h1>
      <p className="lead" data-hold-semantics="">
        {t('incidents.holds.semantics')}
      </p>
      {canRead === false ? (
        <p className="notice warning">{t('incidents.holds.cannotRead')}</p>
      ) : (
        <Holds canManage={canManage === true} done={done} onDone={setDone} />
      )}
      {canManage === true && <PlaceHold onPlaced={setDone} />}
      {canRead === true && canManage === false && <p className="notice">{t('incidents.holds.cannotManage')}</p>}
    </div>
  );
}

function Holds({ canManage, done, onDone }: { readonly canManage: boolean; readonly done: string | null; readonly onDone: (message: string | null) => void }) {
  const { t } = useI18n();
  const id = useId();
  const query = useQuery(legalHoldsQuery);
  const [confirming, setConfirming] = useState<LegalHold | null>(null);
  const active = query.data?.filter((h) => h.releasedAt === null).length ?? 0;
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('incidents.holds.listTitle')}</h2>
      {query.isPending && <p className="muted">{t('app.loading')}</p>}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.data && (
        <p className={active > 0 ? 'notice warning' : 'notice'} role="status" data-active-holds={active}>
          {active > 0 ? t('incidents.holds.activeCount', { count: active }) : t('incidents.holds.noneActive')}
        </p>
      )}
      {done !== null && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
      {confirming !== null && (
        <ConfirmRelease
          hold={confirming}
          others={active - 1}
          onDone={(hold) => {
            setConfirming(null);
            onDone(t('incidents.holds.released', { reason: hold.reason }));
          }}
          onCancel={() => {
            setConfirming(null);
          }}
        />
      )}
      {query.data && query.data.length === 0 && <p className="notice">{t('incidents.holds.empty')}</p>}
      {query.data && query.data.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="dense holds-table">
            <caption id={`${id}-caption`}>{t('incidents.holds.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('incidents.holds.reason')}</th>
                <th scope="col">{t('incidents.holds.status')}</th>
                <th scope="col">{t('incidents.holds.placedBy')}</th>
                <th scope="col">{t('incidents.holds.placedAt')}</th>
                <th scope="col">{t('incidents.holds.releasedBy')}</th>
                <th scope="col">{t('incidents.holds.releasedAt')}</th>
                {canManage && <th scope="col">{t('incidents.holds.action')}</th>}
              </tr>
            </thead>
            <tbody>
              {query.data.map((hold) => (
                <tr key={hold.holdId} data-hold={hold.holdId} data-hold-active={hold.releasedAt === null ? 'yes' : 'no'}>
                  <th scope="row" className="wrap">
                    {hold.reason}
                  </th>
                  <td>
                    <ul className="tags">
                      <li className={hold.releasedAt === null ? 'tag-active' : undefined}>
                        {hold.releasedAt === null ? t('incidents.holds.active') : t('incidents.holds.releasedTag')}
                      </li>
                    </ul>
                  </td>
                  <td className="mono clip" title={hold.placedBy}>
                    {hold.placedBy}
                  </td>
                  <td>
                    <DateTime value={hold.placedAt} style="compact" />
                  </td>
                  <td className="mono clip" title={hold.releasedBy ?? undefined}>
                    {hold.releasedBy ?? <span className="muted">—</span>}
                  </td>
                  <td>{hold.releasedAt !== null ? <DateTime value={hold.releasedAt} style="compact" /> : <span className="muted">—</span>}</td>
                  {canManage && (
                    <td>
                      {hold.releasedAt === null && (
                        <button
                          type="button"
                          className="button secondary"
                          aria-label={t('incidents.holds.releaseLabel', { reason: hold.reason })}
                          onClick={() => {
                            onDone(null);
                            setConfirming(hold);
                          }}
                        >
                          {t('incidents.holds.release')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The confirmation before a release: what it lets happen again, then the call. */
function ConfirmRelease({
  hold,
  others,
  onDone,
  onCancel,
}: {
  readonly hold: LegalHold;
  readonly others: number;
  readonly onDone: (hold: LegalHold) => void;
  readonly onCancel: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [hold.holdId]);
  const release = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/processing-record/legal-holds/{holdId}/release', { params: { path: { holdId: hold.holdId } } })),
    onSuccess: async (released) => {
      await queryClient.invalidateQueries({ queryKey: HOLDS_KEY });
      onDone(released);
    },
  });
  return (
    <section className="card confirm-card" aria-labelledby={`${id}-title`} data-confirm-release={hold.holdId}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {t('incidents.holds.confirmTitle')}
      </h3>
      <p>
        <strong>{hold.reason}</strong>
      </p>
      <p>{others > 0 ? t('incidents.holds.confirmOthers', { count: others }) : t('incidents.holds.confirmLast')}</p>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          disabled={release.isPending}
          onClick={() => {
            release.mutate();
          }}
        >
          {release.isPending ? t('incidents.holds.releasing') : t('incidents.holds.confirmRelease')}
        </button>
        <button type="button" className="button secondary" disabled={release.isPending} onClick={onCancel}>
          {t('incidents.holds.cancel')}
        </button>
      </div>
      {release.isError && <ErrorBox error={release.error} />}
    </section>
  );
}

function PlaceHold({ onPlaced }: { readonly onPlaced: (message: string | null) => void }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<FieldProblem | undefined>(undefined);
  const place = useMutation({
    mutationFn: (body: components['schemas']['LegalHoldRequestDto']) => unwrap(api.POST('/v1/processing-record/legal-holds', { body })),
    onSuccess: async (hold) => {
      setReason('');
      onPlaced(t('incidents.holds.placed', { reason: hold.reason }));
      await queryClient.invalidateQueries({ queryKey: HOLDS_KEY });
    },
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkHoldReason(reason);
    if (!checked.ok) {
      setProblem(checked.problems.reason);
      place.reset();
      return;
    }
    setProblem(undefined);
    onPlaced(null);
    place.mutate(checked.body);
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('incidents.holds.placeTitle')}</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t('incidents.holds.reason')}</label>
          <input
            id={`${id}-reason`}
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
            }}
            autoComplete="off"
            aria-invalid={problem !== undefined}
            aria-describedby={problem !== undefined ? `${id}-reason-problem ${id}-reason-hint` : `${id}-reason-hint`}
          />
          <small id={`${id}-reason-hint`}>{t('incidents.holds.reasonHint')}</small>
          <FieldMessage id={`${id}-reason-problem`} problem={problem} />
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={place.isPending}>
            {place.isPending ? t('incidents.holds.placing') : t('incidents.holds.place')}
          </button>
        </div>
      </form>
      {place.isError && <ErrorBox error={place.error} />}
    </section>
  );
}
