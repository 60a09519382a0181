// Who looked: every reveal of personal data and every export is itself an entry of the
// processing record. The latest of each, and the questions an officer asks (who looked at this
// subject? what did this person look at?) as explorer views with shareable addresses.
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { recordsQuery } from '../api/queries';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { apiQuery } from '../records/search';
import { WHO_LOOKED_COLUMNS, whoLookedView, type LookKind } from '../records/who-looked';
import { RecordsTable } from './records';

/** Rows of each "latest" table; the explorer has the rest. */
const LATEST = 10;

export function WhoLookedPage() {
  const { t } = useI18n();
  useDocumentTitle(t('whoLooked.title'));
  return (
    <div className="page wide">
      <h1>{t('whoLooked.title')}</h1>
      <p className="lead">{t('whoLooked.intro')}</p>
      <Questions />
      <Latest kind="read" />
      <Latest kind="export" />
    </div>
  );
}

function Questions() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  const [subjectId, setSubjectId] = useState('');
  const [actor, setActor] = useState('');
  const [kind, setKind] = useState<LookKind>('read');
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void navigate({ to: '/records', search: whoLookedView(kind, { subjectId, actor }) });
  };
  return (
    <form className="filters" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {t('whoLooked.askTitle')}
      </h2>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('whoLooked.kind')}</label>
          <select
            id={`${id}-kind`}
            value={kind}
            onChange={(e) => {
              setKind(e.target.value === 'export' ? 'export' : 'read');
            }}
          >
            <option value="read">{t('whoLooked.reads')}</option>
            <option value="export">{t('whoLooked.exports')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-subject`}>{t('whoLooked.subject')}</label>
          <input
            id={`${id}-subject`}
            className="mono"
            value={subjectId}
            onChange={(e) => {
              setSubjectId(e.target.value);
            }}
            aria-describedby={`${id}-subject-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-subject-hint`}>{t('records.subjectIdHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>{t('whoLooked.actor')}</label>
          <input
            id={`${id}-actor`}
            className="mono"
            value={actor}
            onChange={(e) => {
              setActor(e.target.value);
            }}
            aria-describedby={`${id}-actor-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-actor-hint`}>{t('records.actorHint')}</small>
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="button primary">
          {t('whoLooked.show')}
        </button>
      </div>
    </form>
  );
}

function Latest({ kind }: { readonly kind: LookKind }) {
  const { t } = useI18n();
  const id = useId();
  const query = useQuery(recordsQuery(apiQuery({ kind, limit: LATEST })));
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-looks={kind}>
      <h2 id={`${id}-title`}>{t(kind === 'read' ? 'whoLooked.latestReads' : 'whoLooked.latestExports')}</h2>
      <p className="muted">{t(kind === 'read' ? 'whoLooked.readsHint' : 'whoLooked.exportsHint')}</p>
      {query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.data && <RecordsTable records={query.data.records} columns={WHO_LOOKED_COLUMNS} busy={false} />}
      <p>
        <Link to="/records" search={whoLookedView(kind)}>
          {t(kind === 'read' ? 'whoLooked.allReads' : 'whoLooked.allExports')}
        </Link>
      </p>
    </section>
  );
}
