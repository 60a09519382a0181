import { Link } from '@tanstack/react-router';
import { useI18n } from '../i18n/context';

/** Organization administration's pages, one link each. */
export function AdminNav() {
  const { t } = useI18n();
  const tab = { activeProps: { 'aria-current': 'page' }, activeOptions: { includeSearch: false } } as const;
  return (
    <nav className="register-nav" aria-label={t('admin.navLabel')}>
      <Link to="/admin/organization" {...tab}>
        {t('admin.org.title')}
      </Link>
      <Link to="/admin/members" {...tab}>
        {t('admin.members.title')}
      </Link>
      <Link to="/admin/request-policy" {...tab}>
        {t('admin.policy.title')}
      </Link>
      <Link to="/admin/api-keys" {...tab}>
        {t('admin.keys.title')}
      </Link>
      <Link to="/admin/webhook" {...tab}>
        {t('admin.hook.title')}
      </Link>
      <Link to="/admin/timed-jobs" {...tab}>
        {t('admin.jobs.title')}
      </Link>
    </nav>
  );
}
