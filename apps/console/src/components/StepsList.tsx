import { useI18n } from '../i18n/context';
import type { VerificationStep } from '../verify/steps';

/** Every step of an in-browser verification, in order, each marked passed or failed (a failed step is never dropped). */
export function StepsList({ steps }: { readonly steps: readonly VerificationStep[] }) {
  const { t } = useI18n();
  return (
    <ol className="verify-steps">
      {steps.map((step, i) => (
        <li key={`${step.step}-${String(i)}`} className={step.ok ? 'step-ok' : 'step-failed'} data-step={step.step} data-ok={step.ok ? 'yes' : 'no'}>
          <span className="step-mark" aria-hidden="true">
            {step.ok ? '✓' : '✗'}
          </span>{' '}
          <span className="visually-hidden">{step.ok ? t('entry.stepPassed') : t('entry.stepFailed')}</span>
          <code>{step.step}</code>
          {step.subject !== undefined && <span className="muted"> ({step.subject})</span>}: {step.detail}
        </li>
      ))}
    </ol>
  );
}
