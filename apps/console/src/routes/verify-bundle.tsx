// "Verify a bundle anywhere": an export bundle and a verifier key, checked entirely in this
// browser (src/verify `verifyBundle`, the checks of `attest verify --bundle`). No sign-in, and no
// network request at all: the page calls no API, not even the session.
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { bundleCommand } from '../checkpoints/offline';
import { StepsList } from '../components/StepsList';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { verifyBundle, type BundleReport, type BundleVerification } from '../verify/bundle';

interface OfflineInput {
  readonly bundle: File;
  readonly verifierKey: string;
  readonly kept: readonly File[];
}

/** Reads the chosen files here (File.text(): nothing leaves the browser) and verifies. */
async function verifyOffline(input: OfflineInput): Promise<BundleVerification> {
  const [text, ...trusted] = await Promise.all([input.bundle.text(), ...input.kept.map((f) => f.text())]);
  return verifyBundle(text, input.verifierKey.trim(), { trusted });
}

export function VerifyBundlePage() {
  const { t } = useI18n();
  useDocumentTitle(t('offline.title'));
  const id = useId();
  const [bundle, setBundle] = useState<File | null>(null);
  const [verifierKey, setVerifierKey] = useState('');
  const [kept, setKept] = useState<readonly File[]>([]);
  const check = useMutation({ mutationFn: verifyOffline });
  const ready = bundle !== null && verifierKey.trim() !== '';
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (bundle !== null && verifierKey.trim() !== '') check.mutate({ bundle, verifierKey, kept });
  };
  const changed = () => {
    check.reset();
  };
  const result = check.data;
  return (
    <div className="page">
      <h1>{t('offline.title')}</h1>
      <p className="lead">{t('offline.intro')}</p>
      <p className="notice" data-offline="true">
        {t('offline.nothingUploaded')}
      </p>
      <form className="card offline-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-bundle`}>{t('offline.bundleLabel')}</label>
          <input
            id={`${id}-bundle`}
            type="file"
            accept=".json,application/json"
            aria-describedby={`${id}-bundle-hint`}
            data-input="bundle"
            onChange={(event) => {
              setBundle(event.target.files?.item(0) ?? null);
              changed();
            }}
          />
          <small id={`${id}-bundle-hint`}>{t('offline.bundleHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-key`}>{t('offline.keyLabel')}</label>
          <input
            id={`${id}-key`}
            type="text"
            className="mono"
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            aria-describedby={`${id}-key-hint`}
            value={verifierKey}
            onChange={(event) => {
              setVerifierKey(event.target.value);
              changed();
            }}
          />
          <small id={`${id}-key-hint`}>{t('offline.keyHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kept`}>{t('offline.keptLabel')}</label>
          <input
            id={`${id}-kept`}
            type="file"
            multiple
            aria-describedby={`${id}-kept-hint`}
            data-input="kept"
            onChange={(event) => {
              setKept(event.target.files === null ? [] : Array.from(event.target.files));
              changed();
            }}
          />
          <small id={`${id}-kept-hint`}>{t('offline.keptHint')}</small>
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={!ready || check.isPending}>
            {check.isPending ? t('entry.verifyRunning') : t('offline.run')}
          </button>
          {!ready && <span className="muted">{t('offline.needBoth')}</span>}
        </div>
      </form>
      {check.isError && (
        <p className="notice failure" role="alert">
          {t('offline.readFailed')}
        </p>
      )}
      {result && <OfflineResult verification={result} />}
      <p className="muted">{t('offline.command')}</p>
      <pre className="code-block" tabIndex={0}>
        <code>
          {bundleCommand(
            bundle?.name,
            verifierKey,
            kept.map((f) => f.name),
          )}
        </code>
      </pre>
    </div>
  );
}

function OfflineResult({ verification }: { readonly verification: BundleVerification }) {
  const { t } = useI18n();
  const { report } = verification;
  return (
    <section className="card" aria-labelledby="offline-result">
      <h2 id="offline-result">{t('offline.resultTitle')}</h2>
      <p className={verification.ok ? 'notice success' : 'notice failure'} role="status" data-verified={verification.ok ? 'yes' : 'no'}>
        {verification.ok
          ? t('offline.passed', { size: report?.size ?? 0 })
          : report === null
            ? t('offline.unreadable')
            : t('offline.failed', { count: report.problems.length })}
      </p>
      {report && <ReportFacts report={report} />}
      {report && report.problems.length > 0 && (
        <>
          <h3>{t('offline.problems')}</h3>
          <ul className="problems">
            {report.problems.map((problem, i) => (
              <li key={`${String(i)}-${problem}`}>{problem}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('offline.steps')}</h3>
      <StepsList steps={verification.steps} />
    </section>
  );
}

function ReportFacts({ report }: { readonly report: BundleReport }) {
  const { t } = useI18n();
  return (
    <dl className="facts" data-report="true">
      <div>
        <dt>{t('offline.tenant')}</dt>
        <dd className="mono">{report.tenantId}</dd>
      </div>
      <div>
        <dt>{t('offline.origin')}</dt>
        <dd className="mono break">{report.origin}</dd>
      </div>
      <div>
        <dt>{t('checkpoints.entries')}</dt>
        <dd className="mono" data-count="size">
          {report.size}
        </dd>
      </div>
      <div>
        <dt>{t('checkpoints.purged')}</dt>
        <dd className="mono">{report.purged}</dd>
      </div>
      <div>
        <dt>{t('checkpoints.checkpointsChecked')}</dt>
        <dd className="mono" data-count="checkpoints">
          {report.checkpointsChecked}
        </dd>
      </div>
      <div>
        <dt>{t('checkpoints.latestSigned')}</dt>
        <dd className="mono break">
          {report.latestCheckpoint === null
            ? t('checkpoints.none')
            : t('checkpoints.sizeRoot', { size: report.latestCheckpoint.size, root: report.latestCheckpoint.root })}
        </dd>
      </div>
      <div>
        <dt>{t('checkpoints.uncovered')}</dt>
        <dd className="mono">{report.uncovered}</dd>
      </div>
      <div>
        <dt>{t('offline.problemCount')}</dt>
        <dd className="mono" data-count="problems">
          {report.problems.length}
        </dd>
      </div>
    </dl>
  );
}
