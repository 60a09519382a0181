import { useMutation } from '@tanstack/react-query';
import { CONSOLE_BASE } from '../api/navigation';
import { signOut } from '../api/session';
import { useI18n } from '../i18n/context';
import { ErrorBox } from './ErrorBox';

/** Ends the session, then reloads into the sign-in page (nothing of the session stays in memory). */
export function SignOutButton({ className = 'button secondary' }: { readonly className?: string }) {
  const { t } = useI18n();
  const mutation = useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      window.location.assign(`${CONSOLE_BASE}/sign-in?signedOut=true`);
    },
  });
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={mutation.isPending}
        onClick={() => {
          mutation.mutate();
        }}
      >
        {mutation.isPending ? t('session.signingOut') : t('session.signOut')}
      </button>
      {mutation.isError && <ErrorBox error={mutation.error} />}
    </>
  );
}
