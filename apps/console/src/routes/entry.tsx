// One entry of the processing record: where it is in the log, the decoded record, the canonical
// body that was hashed, and its verification in this browser.
import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { entryQuery, receiptLookupQuery, sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { ReceiptView } from '../components/ReceiptView';
import { problemOf } from '../api/problem';
import { StepsList } from '../components/StepsList';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import {
  ENTRY_FIELDS,
  fieldText,
  MONOSPACE_FIELDS,
  prettyBody,
  receiptsOf,
  type ProcessingRecordBody,
  type ProcessingRecordEntry,
  type ReceiptLookup,
} from '../records/entry';
import { verifyEntry, type Verification } from '../verify/verify-entry';
import { parseEntryIndex } from './auth-search';

const route = getRouteApi('/records/$index');

export function EntryPage() {
  const { t } = useI18n();
  const { index: raw } = route.useParams();
  const index = parseEntryIndex(raw);
  const title = t('entry.title', { index: raw });
  useDocumentTitle(title);
  const query = useQuery({ ...entryQuery(index ?? 0), enabled: index !== null });

  return (
    <div className="page">
      <p>
        <Link to="/records">← {t('entry.back')}</Link>
      </p>
      <h1>{title}</h1>
      {index === null && <p className="notice warning">{t('entry.invalidIndex')}</p>}
      {query.isPending && index !== null && <p className="muted">{t('app.loading')}</p>}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.data && <EntryView entry={query.data} />}
    </div>
  );
}

function EntryView({ entry }: { readonly entry: ProcessingRecordEntry }) {
  const { t } = useI18n();
  const receipts = entry.record === null ? [] : receiptsOf(entry.record);
  const decision = entry.record?.kind === 'decision';
  return (
    <>
      <section className="card" aria-labelledby="entry-summary">
        <h2 id="entry-summary">{t('entry.summary')}</h2>
        <dl className="facts">
          <div>
            <dt>{t('entry.leafIndex')}</dt>
            <dd className="mono">{entry.index}</dd>
          </div>
          <div>
            <dt>{t('entry.leafHash')}</dt>
            <dd className="mono break">{entry.leafHash}</dd>
          </div>
          <div>
            <dt>{t('entry.recordedAt')}</dt>
            <dd>
              <DateTime value={entry.recordedAt} />
            </dd>
          </div>
          <div>
            <dt>{t('entry.purgedAt')}</dt>
            <dd>{entry.purgedAt === null ? t('entry.notPurged') : <DateTime value={entry.purgedAt} />}</dd>
          </div>
        </dl>
      </section>

      {entry.purgedAt !== null && <p className="notice">{t('entry.purged')}</p>}

      {entry.record !== null && <RecordView record={entry.record} />}

      {receipts.map((lookup, i) => (
        <EntryReceipt key={i} lookup={lookup} headingId={`entry-receipt-${i}`} />
      ))}
      {decision && entry.record?.v === 1 && <p className="muted">{t('receipt.decisionV1')}</p>}

      {entry.body !== null && (
        <section className="card" aria-labelledby="entry-body">
          <h2 id="entry-body">{t('entry.bodyTitle')}</h2>
          <p className="muted">{t('entry.bodyHint')}</p>
          <pre className="code-block" tabIndex={0}>
            <code>{prettyBody(entry.body)}</code>
          </pre>
        </section>
      )}

      <VerifyPanel entry={entry} />
    </>
  );
}

/** A consent receipt the entry rests on: its consent event's, or the grant's of a consent its decision names. */
function EntryReceipt({ lookup, headingId }: { readonly lookup: ReceiptLookup; readonly headingId: string }) {
  const { t } = useI18n();
  const query = useQuery(receiptLookupQuery(lookup));
  const missing = 'eventId' in lookup ? t('receipt.entryNone') : t('receipt.decisionNone', { consentId: lookup.consentId });
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{'eventId' in lookup ? t('receipt.entryTitle') : t('receipt.decisionTitle')}</h2>
      {query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {query.isError && (problemOf(query.error).status === 404 ? <p className="muted">{missing}</p> : <ErrorBox error={query.error} />)}
      {query.data && <ReceiptView receipt={query.data} headingId={`${headingId}-document`} />}
    </section>
  );
}

function RecordView({ record }: { readonly record: ProcessingRecordBody }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="entry-record">
      <h2 id="entry-record">{t('entry.recordTitle')}</h2>
      <dl className="facts">
        {ENTRY_FIELDS.map((field) => {
          const text = fieldText(record[field]);
          return (
            <div key={field}>
              <dt>{t(`field.${field}`)}</dt>
              <dd className={MONOSPACE_FIELDS.has(field) ? 'mono break' : undefined}>
                {text === null ? <span className="muted">—</span> : field === 'at' ? <DateTime value={text} /> : text}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

/** What the panel fetches, then checks here: the log's key and origin, its latest signed checkpoint, and the entry's inclusion proof. */
async function verifyInBrowser(entry: ProcessingRecordEntry, tenantId: string | undefined): Promise<PanelResult> {
  const log = await unwrap(api.GET('/v1/processing-record'));
  const checkpoint = log.latestCheckpoint;
  if (checkpoint === null || checkpoint.size <= entry.index) return { kind: 'not-signed', verifierKey: log.verifierKey };
  const proof = await unwrap(api.GET('/v1/processing-record/proofs/inclusion', { params: { query: { index: entry.index, size: checkpoint.size } } }));
  const verification = await verifyEntry({
    entry,
    proof,
    checkpoint: checkpoint.note,
    verifierKey: log.verifierKey,
    origin: log.origin,
    ...(tenantId !== undefined ? { tenantId } : {}),
  });
  return { kind: 'verified', verification, verifierKey: log.verifierKey, checkpointSize: checkpoint.size };
}

type PanelResult =
  | { readonly kind: 'not-signed'; readonly verifierKey: string }
  | { readonly kind: 'verified'; readonly verification: Verification; readonly verifierKey: string; readonly checkpointSize: number };

/**
 * "Verify in this browser": fetches the inclusion proof, the latest signed checkpoint and the
 * published verifier key, then checks the Ed25519 signed note and the RFC 6962 proof here
 * (WebCrypto, src/verify), showing every step. A failed step is shown as a failure.
 */
export function VerifyPanel({ entry }: { readonly entry: ProcessingRecordEntry }) {
  const { t } = useI18n();
  const { data: session } = useQuery(sessionQuery);
  const check = useMutation({ mutationFn: () => verifyInBrowser(entry, session?.tenantId) });
  const result = check.data;
  const command = `npx attest verify --tenant ${session?.tenantId ?? '<tenant>'} --key '${result?.verifierKey ?? '<verifier key>'}'`;
  return (
    <section className="card" aria-labelledby="entry-verify" data-entry-index={entry.index}>
      <h2 id="entry-verify">{t('entry.verifyTitle')}</h2>
      <p className="muted">{t('entry.verifyIntro')}</p>
      <button
        type="button"
        className="button primary"
        disabled={check.isPending}
        onClick={() => {
          check.mutate();
        }}
      >
        {check.isPending ? t('entry.verifyRunning') : t('entry.verifyRun')}
      </button>
      {check.isError && <ErrorBox error={check.error} />}
      {result?.kind === 'not-signed' && (
        <p className="notice warning" role="status">
          {t('entry.verifyNotSigned')}
        </p>
      )}
      {result?.kind === 'verified' && (
        <>
          <p className={result.verification.ok ? 'notice success' : 'notice failure'} role="status" data-verified={result.verification.ok ? 'yes' : 'no'}>
            {result.verification.ok ? t('entry.verifyPassed', { size: result.checkpointSize }) : t('entry.verifyFailed')}
          </p>
          <StepsList steps={result.verification.steps} />
        </>
      )}
      <p className="muted">{t('entry.verifyCommand')}</p>
      <pre className="code-block" tabIndex={0}>
        <code>{command}</code>
      </pre>
    </section>
  );
}
