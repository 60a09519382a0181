import { useEffect } from 'react';
import { useI18n } from '../i18n/context';

/** "<page> · Attest console", so that tabs, history and screen readers name the page. */
export function useDocumentTitle(page: string | undefined): void {
  const { t } = useI18n();
  const app = t('app.name');
  useEffect(() => {
    document.title = page === undefined || page === app ? app : `${page} · ${app}`;
  }, [page, app]);
}
