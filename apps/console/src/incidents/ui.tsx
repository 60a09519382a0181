// Small pieces the incident and legal-hold pages share: the countdown badge, field problems,
// and what the signed-in person may do.
import { DateTime } from '../components/DateTime';
import { useI18n } from '../i18n/context';
import { deadlineStatus, formatDuration, type DeadlineFacts } from './countdown';
import type { FieldProblem } from './forms';

/** The authority deadline of an incident at `now` (the browser's clock, renewed every second by useNow). */
export function Countdown({ incident, now }: { readonly incident: DeadlineFacts; readonly now: number }) {
  const { t } = useI18n();
  const status = deadlineStatus(incident, now);
  switch (status.kind) {
    case 'notified':
      return (
        <span className={status.withinDeadline ? 'countdown countdown-notified' : 'countdown countdown-late'} data-deadline="notified">
          {t(status.withinDeadline ? 'incidents.countdown.notified' : 'incidents.countdown.notifiedLate')}{' '}
          <DateTime value={status.notifiedAt} style="compact" />
        </span>
      );
    case 'running':
      return (
        <span className="countdown countdown-running" data-deadline="running" role="timer">
          {t('incidents.countdown.left', { time: formatDuration(status.remainingMs) })}
        </span>
      );
    case 'at-risk':
      return (
        <span className="countdown countdown-at-risk" data-deadline="at-risk" role="timer">
          <strong>{t('incidents.countdown.atRisk')}</strong> {t('incidents.countdown.left', { time: formatDuration(status.remainingMs) })}
        </span>
      );
    case 'overdue':
      return (
        <span className="countdown countdown-overdue" data-deadline="overdue" role="timer">
          <strong>{t('incidents.countdown.overdue')}</strong> {t('incidents.countdown.overdueBy', { time: formatDuration(status.overdueMs) })}
        </span>
      );
  }
}

export function useProblemText(): (problem: FieldProblem) => string {
  const { t } = useI18n();
  return (problem) => {
    switch (problem.code) {
      case 'required':
        return t('incidents.problem.required');
      case 'too-long':
        return t('incidents.problem.tooLong', { max: problem.max });
      case 'too-many':
        return t('incidents.problem.tooMany', { max: problem.max });
      case 'instant':
        return t('incidents.problem.instant');
      case 'whole-number':
        return t('incidents.problem.wholeNumber');
      case 'choice':
        return t('incidents.problem.choice');
      case 'control-characters':
        return t('incidents.problem.controlCharacters');
    }
  };
}

/** The message under a field that the form refused (linked to the input by aria-describedby). */
export function FieldMessage({ id, problem }: { readonly id: string; readonly problem: FieldProblem | undefined }) {
  const text = useProblemText();
  if (problem === undefined) return null;
  return (
    <small id={id} className="field-problem">
      {text(problem)}
    </small>
  );
}
