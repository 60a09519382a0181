import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { oidcSignInHref } from '../api/navigation';
import { signInOptionsQuery } from '../api/queries';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';

const signInRoute = getRouteApi('/sign-in');
const stepUpRoute = getRouteApi('/step-up');

const LINK_COMMAND = 'npx attest console-link --tenant <tenant> --roles <roles>';

/** The ways to sign in here: OIDC when the deployment has it, and always the sign-in link. Public calls only. */
function SignInOptions({ returnTo, stepUp = false }: { readonly returnTo: string | undefined; readonly stepUp?: boolean }) {
  const { t, tx } = useI18n();
  const { data: options } = useQuery(signInOptionsQuery);
  return (
    <>
      {options?.oidc === true && (
        <p>
          <a className="button primary" href={oidcSignInHref(returnTo, stepUp)}>
            {t('signIn.oidc')}
          </a>
        </p>
      )}
      <section className="card" aria-labelledby="sign-in-link">
        <h2 id="sign-in-link">{t('signIn.linkTitle')}</h2>
        <p>{tx('signIn.linkHelp', { command: <code>{LINK_COMMAND}</code> })}</p>
        {options?.linkMinutes !== undefined && <p className="muted">{t('signIn.linkMinutes', { minutes: options.linkMinutes })}</p>}
      </section>
    </>
  );
}

export function SignInPage() {
  const { t } = useI18n();
  useDocumentTitle(t('signIn.title'));
  const { returnTo, error, signedOut } = signInRoute.useSearch();
  return (
    <div className="page narrow">
      <h1>{t('signIn.title')}</h1>
      {error !== undefined && (
        <p className="notice warning" role="alert">
          {t(`signIn.error.${error}`)}
        </p>
      )}
      {returnTo !== undefined && (
        <p className="notice" role="status">
          {t('signIn.sessionEnded')}
        </p>
      )}
      {signedOut === true && returnTo === undefined && (
        <p className="notice" role="status">
          {t('signIn.signedOut')}
        </p>
      )}
      <SignInOptions returnTo={returnTo} />
      <section className="card" aria-labelledby="sign-in-verify">
        <h2 id="sign-in-verify">{t('signIn.verifyTitle')}</h2>
        <p>{t('signIn.verifyText')}</p>
        <p>
          <Link to="/verify">{t('signIn.verifyLink')}</Link>
        </p>
      </section>
    </div>
  );
}

export function StepUpPage() {
  const { t } = useI18n();
  useDocumentTitle(t('stepUp.title'));
  const { returnTo } = stepUpRoute.useSearch();
  return (
    <div className="page narrow">
      <h1>{t('stepUp.title')}</h1>
      <p className="notice">{t('stepUp.explanation')}</p>
      <SignInOptions returnTo={returnTo} stepUp />
      <p>
        <Link to="/">{t('stepUp.cancel')}</Link>
      </p>
    </div>
  );
}
