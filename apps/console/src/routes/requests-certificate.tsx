// A completed deletion's certificate as a page: its fields, what it covers, what was kept, why and
// until when (D5: categories only, never the kept values, so opening the page reads no personal
// data), its place in the processing record, and a check of all of it in this browser. The signed
// JSON is a download.
import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { api } from '../api/client';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { StepsList } from '../components/StepsList';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { certificateQuery } from '../requests/queries';
import { verifyCertificate, type DeletionCertificateInput } from '../verify';

const route = getRouteApi('/requests/$requestId/certificate');

export function RequestCertificatePage() {
  const { t } = useI18n();
  const { requestId } = route.useParams();
  useDocumentTitle(t('certificate.title'));
  const signed = useQuery(certificateQuery(requestId));
  const certificate = signed.data?.certificate;
  return (
    <div className="page wide">
      <p>
        <Link to="/requests/$requestId" params={{ requestId }}>
          {t('certificate.back')}
        </Link>
      </p>
      <h1>{t('certificate.title')}</h1>
      {signed.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {signed.isError && <ErrorBox error={signed.error} onRetry={() => void signed.refetch()} />}
      {certificate && (
        <>
          <section className="card" aria-labelledby="certificate-facts" data-certificate-page={certificate.certificateId}>
            <h2 id="certificate-facts">{t('certificate.facts')}</h2>
            <dl className="facts">
              <Fact label={t('certificate.id')} mono>
                {certificate.certificateId}
              </Fact>
              <Fact label={t('certificate.format')} mono>
                {certificate.format}
              </Fact>
              <Fact label={t('requests.col.request')} mono>
                {certificate.requestId}
              </Fact>
              <Fact label={t('certificate.subjectRef')} mono>
                {certificate.subjectRef}
              </Fact>
              <Fact label={t('requests.col.received')}>
                <DateTime value={certificate.receivedAt} />
              </Fact>
              <Fact label={t('certificate.erasedAt')}>
                <DateTime value={certificate.erasedAt} />
              </Fact>
              <Fact label={t('certificate.issuedAt')}>
                <DateTime value={certificate.issuedAt} />
              </Fact>
            </dl>
            <h3>{t('certificate.covered')}</h3>
            {certificate.covered.length === 0 ? (
              <p className="muted">—</p>
            ) : (
              <ul data-covered>
                {certificate.covered.map((what) => (
                  <li key={what}>{what}</li>
                ))}
              </ul>
            )}
            <h3>{t('certificate.keptCategories')}</h3>
            {certificate.retained.length === 0 ? (
              <p className="muted">{t('certificate.nothingKept')}</p>
            ) : (
              <table data-retained={certificate.retained.length}>
                <caption>{t('certificate.keptCategories')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('certificate.category')}</th>
                    <th scope="col">{t('certificate.reason')}</th>
                    <th scope="col">{t('certificate.until')}</th>
                  </tr>
                </thead>
                <tbody>
                  {certificate.retained.map((kept) => (
                    <tr key={kept.category}>
                      <th scope="row">{kept.category}</th>
                      <td>{kept.reason}</td>
                      <td>{kept.until}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card" aria-labelledby="certificate-record">
            <h2 id="certificate-record">{t('certificate.record')}</h2>
            <p className="muted small">{t('certificate.recordHint')}</p>
            <dl className="facts">
              <Fact label={t('certificate.origin')} mono>
                {certificate.processingRecord.origin}
              </Fact>
              <Fact label={t('certificate.index')}>{certificate.processingRecord.index}</Fact>
              <Fact label={t('certificate.leafHash')} mono>
                {certificate.processingRecord.leafHash}
              </Fact>
              <Fact label={t('certificate.verifierKey')} mono>
                {certificate.verifierKey}
              </Fact>
            </dl>
            <details>
              <summary>{t('certificate.signedNote')}</summary>
              <pre className="mono break">{signed.data?.signedNote}</pre>
            </details>
            <p>
              <a href={`/v1/data-subject-requests/${requestId}/certificate`} download={`deletion-certificate-${requestId}.json`}>
                {t('certificate.download')}
              </a>
            </p>
          </section>
          {signed.data && <VerifyCertificatePanel certificate={certificate} signedNote={signed.data.signedNote} />}
        </>
      )}
    </div>
  );
}

/**
 * The deployment's published verifier key (GET /v1/processing-record), fetched apart from the
 * certificate; null when this person may not read the processing record (the step then says the
 * key was not compared).
 */
async function publishedKey(): Promise<string | null> {
  const answer = await api.GET('/v1/processing-record');
  if (answer.data) return answer.data.verifierKey;
  if (answer.response.status === 403) return null;
  throw new Error(`GET /v1/processing-record answered ${String(answer.response.status)}`);
}

/** "Verify in this browser" for a certificate: its key, its signature over the fields shown, its inclusion proof (src/verify/certificate.ts). */
function VerifyCertificatePanel({ certificate, signedNote }: { readonly certificate: DeletionCertificateInput; readonly signedNote: string }) {
  const { t } = useI18n();
  const check = useMutation({
    mutationFn: async () => verifyCertificate({ certificate, signedNote, publishedKey: await publishedKey() }),
  });
  const result = check.data;
  return (
    <section className="card" aria-labelledby="certificate-verify">
      <h2 id="certificate-verify">{t('certificate.verifyTitle')}</h2>
      <p className="muted">{t('certificate.verifyIntro')}</p>
      <button
        type="button"
        className="button primary"
        disabled={check.isPending}
        onClick={() => {
          check.mutate();
        }}
      >
        {check.isPending ? t('entry.verifyRunning') : t('certificate.verifyRun')}
      </button>
      {check.isError && <ErrorBox error={check.error} />}
      {result && (
        <>
          <p className={result.ok ? 'notice success' : 'notice failure'} role="status" data-verified={result.ok ? 'yes' : 'no'}>
            {result.ok ? t('certificate.verifyPassed', { size: result.checkpointSize ?? '?' }) : t('certificate.verifyFailed')}
          </p>
          <StepsList steps={result.steps} />
        </>
      )}
    </section>
  );
}
