import { CLIENT_CODES, problemOf } from '../api/problem';
import { useI18n } from '../i18n/context';

/** An API problem (RFC 9457) for people: its title and detail, its code and correlation id for support. */
export function ErrorBox({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }) {
  const { t } = useI18n();
  const problem = problemOf(error);
  const title = problem.code === CLIENT_CODES.network ? t('error.network') : problem.code === CLIENT_CODES.unexpected ? t('error.unexpected') : problem.title;
  const detail = problem.code === CLIENT_CODES.network ? undefined : problem.detail;
  return (
    <div className="error-box" role="alert">
      <p className="error-title">{title}</p>
      {detail !== undefined && <p>{detail}</p>}
      {problem.errors !== undefined && (
        <>
          <p>{t('error.fields')}</p>
          <ul>
            {problem.errors.map((e) => (
              <li key={`${e.field}:${e.message}`}>
                <code>{e.field}</code>: {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <dl className="error-meta">
        <div>
          <dt>{t('error.code')}</dt>
          <dd>
            <code>{problem.code}</code>
          </dd>
        </div>
        {problem.status > 0 && (
          <div>
            <dt>{t('error.status')}</dt>
            <dd>{problem.status}</dd>
          </div>
        )}
        {problem.correlationId !== undefined && (
          <div>
            <dt>{t('error.correlationId')}</dt>
            <dd>
              <code>{problem.correlationId}</code>
            </dd>
          </div>
        )}
      </dl>
      {onRetry !== undefined && (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
