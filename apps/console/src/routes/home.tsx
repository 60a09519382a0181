import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { SignOutButton } from '../components/SignOutButton';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';

export function HomePage() {
  const { t } = useI18n();
  useDocumentTitle(undefined);
  const { data: session } = useQuery(sessionQuery);
  return (
    <div className="page">
      <h1>{t('home.title')}</h1>
      <p className="lead">{t('home.intro')}</p>

      {session && (
        <section className="card" aria-labelledby="home-session">
          <h2 id="home-session">{t('home.sessionTitle')}</h2>
          <dl className="facts">
            <div>
              <dt>{t('home.actor')}</dt>
              <dd className="mono">{session.actor}</dd>
            </div>
            <div>
              <dt>{t('home.tenant')}</dt>
              <dd className="mono">{session.tenantId}</dd>
            </div>
            <div>
              <dt>{t('home.roles')}</dt>
              <dd>
                {session.roles.length === 0 ? (
                  t('home.noRoles')
                ) : (
                  <ul className="tags">
                    {session.roles.map((role) => (
                      <li key={role}>{role}</li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
            <div>
              <dt>{t('home.signedInAt')}</dt>
              <dd>
                <DateTime value={session.signedInAt} />
              </dd>
            </div>
            <div>
              <dt>{t('home.recentSignInUntil')}</dt>
              <dd>
                <DateTime value={session.recentSignInUntil} />
              </dd>
            </div>
            <div>
              <dt>{t('home.idleExpiresAt')}</dt>
              <dd>
                <DateTime value={session.idleExpiresAt} />
              </dd>
            </div>
            <div>
              <dt>{t('home.expiresAt')}</dt>
              <dd>
                <DateTime value={session.expiresAt} />
              </dd>
            </div>
          </dl>
          <SignOutButton />
        </section>
      )}

      <section aria-labelledby="home-workspace">
        <h2 id="home-workspace">{t('home.workspaceTitle')}</h2>
        <ul className="workspace-links">
          <li>
            <Link to="/records">{t('home.records')}</Link>
            <p className="muted">{t('home.recordsHint')}</p>
          </li>
          <li>
            <Link to="/checkpoints">{t('home.checkpoints')}</Link>
            <p className="muted">{t('home.checkpointsHint')}</p>
          </li>
          <li>
            <Link to="/consent">{t('home.consent')}</Link>
            <p className="muted">{t('home.consentHint')}</p>
          </li>
          <li>
            <Link to="/who-looked">{t('home.whoLooked')}</Link>
            <p className="muted">{t('home.whoLookedHint')}</p>
          </li>
          <li>
            <Link to="/registers/activities">{t('registers.home')}</Link>
            <p className="muted">{t('registers.homeHint')}</p>
          </li>
          <li>
            <Link to="/registers/incidents">{t('incidents.home')}</Link>
            <p className="muted">{t('incidents.homeHint')}</p>
            <Link to="/registers/legal-holds">{t('incidents.homeHolds')}</Link>
            <p className="muted">{t('incidents.homeHoldsHint')}</p>
          </li>
          <li>
            <Link to="/verify">{t('home.verify')}</Link>
            <p className="muted">{t('home.verifyHint')}</p>
          </li>
        </ul>
      </section>
    </div>
  );
}
