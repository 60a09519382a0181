import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState, type ReactNode, type SubmitEvent } from 'react';
import { useI18n } from '../i18n/context';
import { ErrorBox } from './ErrorBox';

/**
 * One step of a workflow page (a request's next steps, an operator's decisions): a small form
 * whose refusal (problem+json) is shown beside it. `run` returns the API call, or null while the
 * form is incomplete (then nothing is sent and the form says so); `refresh` is invalidated after.
 */
export function StepForm({
  title,
  submit,
  run,
  refresh,
  step,
  heading = false,
  onDone,
  children,
}: {
  readonly title: string;
  readonly submit: string;
  readonly run: () => Promise<unknown> | null;
  readonly refresh: QueryKey;
  readonly step: string;
  /** Show the title as the form's own heading. */
  readonly heading?: boolean;
  readonly onDone?: (answer: unknown) => void;
  readonly children?: ReactNode;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [incomplete, setIncomplete] = useState(false);
  const mutation = useMutation({
    mutationFn: (call: Promise<unknown>) => call,
    onSuccess: (answer) => onDone?.(answer),
    onSettled: () => queryClient.invalidateQueries({ queryKey: refresh }),
  });
  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const call = run();
    setIncomplete(call === null);
    if (call !== null) mutation.mutate(call);
  };
  return (
    <form onSubmit={onSubmit} className="step-form" aria-label={title} data-step={step}>
      {heading && <h3>{title}</h3>}
      {children}
      <button type="submit" disabled={mutation.isPending}>
        {submit}
      </button>
      {incomplete && (
        <p className="error-box" role="alert">
          {t('request.incomplete')}
        </p>
      )}
      {mutation.isError && <ErrorBox error={mutation.error} />}
    </form>
  );
}
