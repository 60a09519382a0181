import type { ConsentReceipt } from '../consent/consent';
import { useI18n } from '../i18n/context';
import { DateTime } from './DateTime';
import { Fact } from './Fact';

/** A consent receipt (K4) as a person reads it: what was consented to or withdrawn, by whom, how, and how to withdraw. */
export function ReceiptView({ receipt, headingId }: { readonly receipt: ConsentReceipt; readonly headingId: string }) {
  const { t } = useI18n();
  const none = <span className="muted">—</span>;
  return (
    <article className="receipt" aria-labelledby={headingId} data-receipt={receipt.receiptId}>
      <h3 id={headingId}>
        {t(receipt.action === 'granted' ? 'receipt.granted' : 'receipt.withdrawn', { purpose: receipt.purpose.name ?? receipt.purpose.key })}
      </h3>
      <dl className="facts">
        <Fact label={t('receipt.id')} mono>
          {receipt.receiptId}
        </Fact>
        <Fact label={t('receipt.recordedAt')}>
          <DateTime value={receipt.recordedAt} />
        </Fact>
        <Fact label={t('receipt.subject')} mono>
          {receipt.subjectId}
        </Fact>
        <Fact label={t('receipt.purpose')}>
          <span className="mono">{receipt.purpose.key}</span>
          {receipt.purpose.version !== null && ` · ${t('receipt.version', { version: receipt.purpose.version })}`}
          {receipt.purpose.legalBasis !== null && ` · ${receipt.purpose.legalBasis}`}
        </Fact>
        <Fact label={t('receipt.channelScope')}>
          {receipt.channel} · {receipt.scope}
        </Fact>
        <Fact label={t('receipt.thirdParty')}>{receipt.thirdParty ?? none}</Fact>
        <Fact label={t('receipt.crossBorder')}>
          {receipt.crossBorder === null
            ? none
            : t('receipt.crossBorderValue', {
                recipient: receipt.crossBorder.recipient,
                country: receipt.crossBorder.country,
                purpose: receipt.crossBorder.purpose,
                dataTypes: receipt.crossBorder.dataTypes.join(', '),
              })}
        </Fact>
        <Fact label={t('receipt.evidence')}>
          {receipt.evidence === null ? (
            none
          ) : (
            <>
              {t('receipt.evidenceValue', {
                method: receipt.evidence.method,
                source: receipt.evidence.source,
                collector: receipt.evidence.collector,
                notice: receipt.evidence.noticeVersion,
              })}{' '}
              <DateTime value={receipt.evidence.collectedAt} />
            </>
          )}
        </Fact>
        <Fact label={t('receipt.withdrawal')}>
          {receipt.withdrawal === null ? none : t('receipt.withdrawalValue', { method: receipt.withdrawal.method, source: receipt.withdrawal.source })}
        </Fact>
        <Fact label={t('receipt.guardian')}>{receipt.givenByGuardian === null ? none : receipt.givenByGuardian.relationship}</Fact>
        <Fact label={t('receipt.event')} mono>
          {receipt.event.stream} @ {receipt.event.position} ({receipt.event.id})
        </Fact>
        <Fact label={t('receipt.howToWithdraw')}>{receipt.howToWithdraw}</Fact>
      </dl>
    </article>
  );
}
