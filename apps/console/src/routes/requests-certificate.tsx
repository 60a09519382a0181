// A completed deletion's certificate as a page: its fields, what it covers, what was kept and why
// (D5), its place in the processing record; and the data the deletion retained with its until-dates
// (the values themselves are personal data and are not shown). The signed JSON is a download.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { certificateQuery, retainedQuery } from '../requests/queries';

const route = getRouteApi('/requests/$requestId/certificate');

export function RequestCertificatePage() {
  const { t } = useI18n();
  const { requestId } = route.useParams();
  useDocumentTitle(t('certificate.title'));
  const signed = useQuery(certificateQuery(requestId));
  const retained = useQuery(retainedQuery(requestId));
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
              <table>
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
        </>
      )}
      <section className="card" aria-labelledby="certificate-retained">
        <h2 id="certificate-retained">{t('certificate.retained')}</h2>
        <p className="muted small">{t('certificate.retainedHint')}</p>
        {retained.isPending && (
          <p className="muted" role="status">
            {t('app.loading')}
          </p>
        )}
        {retained.isError && <ErrorBox error={retained.error} />}
        {retained.data && retained.data.length === 0 && <p data-retained="0">{t('certificate.nothingRetained')}</p>}
        {retained.data && retained.data.length > 0 && (
          <table data-retained={retained.data.length}>
            <caption>{t('certificate.retained')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('certificate.field')}</th>
                <th scope="col">{t('certificate.reason')}</th>
                <th scope="col">{t('certificate.until')}</th>
                <th scope="col">{t('certificate.value')}</th>
              </tr>
            </thead>
            <tbody>
              {retained.data.map((kept) => (
                <tr key={kept.field}>
                  <th scope="row">{kept.field}</th>
                  <td>{kept.reason}</td>
                  <td>{kept.retainUntil}</td>
                  <td className="muted">{kept.value === null ? '—' : t('certificate.masked')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
