import { Link } from '@tanstack/react-router';
import { useI18n } from '../i18n/context';

/** The four registers side by side (the header's navigation names them once, as "Registers"). */
export function RegistersNav() {
  const { t } = useI18n();
  const tab = { activeProps: { 'aria-current': 'page' }, activeOptions: { includeSearch: false } } as const;
  return (
    <nav className="register-nav" aria-label={t('registers.navLabel')}>
      <Link to="/registers/activities" {...tab}>
        {t('registers.activities.title')}
      </Link>
      <Link to="/registers/assessments" {...tab}>
        {t('registers.assessments.title')}
      </Link>
      <Link to="/registers/incidents" {...tab}>
        {t('incidents.nav')}
      </Link>
      <Link to="/registers/legal-holds" {...tab}>
        {t('incidents.navHolds')}
      </Link>
    </nav>
  );
}
