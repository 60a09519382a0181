import { Link } from '@tanstack/react-router';
import { useI18n } from '../i18n/context';

/** The platform operator's pages, one link each. */
export function PlatformNav() {
  const { t } = useI18n();
  return (
    <nav className="register-nav" aria-label={t('platform.nav')}>
      <Link to="/platform/accounts" search={{ queue: 'verification' }} activeProps={{ 'aria-current': 'page' }} activeOptions={{ includeSearch: false }}>
        {t('platform.accounts.title')}
      </Link>
      <Link to="/platform/requests" activeProps={{ 'aria-current': 'page' }} activeOptions={{ includeSearch: false }}>
        {t('platform.requests.title')}
      </Link>
      <Link to="/platform/notifications" search={{ status: 'dead' }} activeProps={{ 'aria-current': 'page' }} activeOptions={{ includeSearch: false }}>
        {t('platform.notifications.title')}
      </Link>
    </nav>
  );
}
