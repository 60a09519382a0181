import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useRouterState, type ErrorComponentProps } from '@tanstack/react-router';
import { sessionQuery } from '../api/queries';
import { ErrorBox } from '../components/ErrorBox';
import { LanguageSwitcher } from '../components/LanguageSwitcher';
import { useI18n } from '../i18n/context';

/** Header (brand, navigation, who is signed in, language), then the page in <main>. */
export function RootLayout() {
  const { t } = useI18n();
  // Only reads what a page already loaded: the sign-in pages never ask for the session.
  const { data: session } = useQuery({ ...sessionQuery, enabled: false });
  // Preloading a page with data asks for the session: only once someone is known to be signed in
  // (the public pages, such as /verify, make no API call at all).
  const preload = session ? 'intent' : false;
  // "Registers" names four pages (activities, assessments, incidents, legal holds): it is current on any of them.
  const inRegisters = useRouterState({ select: (state) => state.location.pathname.includes('/registers/') });
  const inAdmin = useRouterState({ select: (state) => state.location.pathname.includes('/admin/') });
  const inPlatform = useRouterState({ select: (state) => state.location.pathname.includes('/platform/') });
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <Link to="/" preload={preload} className="brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.label')}>
          <ul>
            <li>
              <Link to="/" preload={preload} activeOptions={{ exact: true }} activeProps={{ 'aria-current': 'page' }}>
                {t('nav.home')}
              </Link>
            </li>
            <li>
              <Link to="/records" preload={preload} activeProps={{ 'aria-current': 'page' }}>
                {t('nav.records')}
              </Link>
            </li>
            <li>
              <Link to="/checkpoints" preload={preload} activeProps={{ 'aria-current': 'page' }}>
                {t('nav.checkpoints')}
              </Link>
            </li>
            <li>
              <Link to="/consent" preload={preload} activeProps={{ 'aria-current': 'page' }}>
                {t('nav.consent')}
              </Link>
            </li>
            <li>
              <Link to="/who-looked" preload={preload} activeProps={{ 'aria-current': 'page' }}>
                {t('nav.whoLooked')}
              </Link>
            </li>
            <li>
              <Link to="/requests" preload={preload} activeProps={{ 'aria-current': 'page' }}>
                {t('requests.nav')}
              </Link>
            </li>
            <li>
              <Link to="/admin/organization" preload={preload} aria-current={inAdmin ? 'page' : undefined}>
                {t('admin.nav')}
              </Link>
            </li>
            {session?.permissions.includes('platform:operate') === true && (
              <li>
                <Link to="/platform/accounts" search={{ queue: 'verification' }} preload={preload} aria-current={inPlatform ? 'page' : undefined}>
                  {t('platform.nav')}
                </Link>
              </li>
            )}
            <li>
              <Link to="/registers/activities" preload={preload} aria-current={inRegisters ? 'page' : undefined}>
                {t('registers.nav')}
              </Link>
            </li>
            <li>
              <Link to="/verify" activeProps={{ 'aria-current': 'page' }}>
                {t('nav.verify')}
              </Link>
            </li>
          </ul>
        </nav>
        <div className="header-tools">
          {session && (
            <span className="session-badge" title={session.tenantId}>
              {t('session.signedInAs', { actor: session.actor })}
            </span>
          )}
          <LanguageSwitcher />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

export function RouteErrorPage({ error, reset }: ErrorComponentProps) {
  const { t } = useI18n();
  return (
    <section className="page">
      <h1>{t('error.title')}</h1>
      <ErrorBox error={error} onRetry={reset} />
    </section>
  );
}

export function PendingPage() {
  const { t } = useI18n();
  return (
    <p className="page muted" role="status">
      {t('app.loading')}
    </p>
  );
}
