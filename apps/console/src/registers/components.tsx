// The registers' shared pieces: who may do what, an activity's content, the changes between two
// versions, and the two forms (an activity, an impact assessment).
import { useQuery } from '@tanstack/react-query';
import { Fragment, useId, useRef, useState, type ReactNode, type SubmitEvent } from 'react';
import { problemOf, type FieldError } from '../api/problem';
import { sessionQuery } from '../api/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useI18n } from '../i18n/context';
import {
  ACTIVITY_FLAGS,
  CONCLUSIONS,
  LEGAL_BASES,
  controllerText,
  registerAccess,
  transferText,
  type ActivityBody,
  type ActivityVersion,
  type AssessmentBody,
  type Conclusion,
  type RecordedAssessment,
  type RegisterAccess,
} from './activity';
import type { FieldChange } from './diff';
import {
  activityInputOf,
  assessmentInputOf,
  checkActivity,
  checkAssessment,
  serverIssues,
  type ActivityDraft,
  type ActivityTextInput,
  type AssessmentDraft,
  type AssessmentInput,
  type Issue,
  type Issues,
} from './forms';

/** The signed-in person's access to the registers (from the session the route already loaded). */
export function useRegisterAccess(): { readonly access: RegisterAccess | undefined; readonly roles: readonly string[] } {
  const { data: session } = useQuery(sessionQuery);
  return { access: session ? registerAccess(session.permissions) : undefined, roles: session?.roles ?? [] };
}

/** Said instead of a page, or of a form, that the person's roles do not allow. */
export function NoAccess({ need, roles }: { readonly need: 'read' | 'manage'; readonly roles: readonly string[] }) {
  const { t } = useI18n();
  return (
    <div className="notice warning" role="status" data-no-access={need}>
      <p className="register-notice-title">{need === 'read' ? t('registers.noAccess.readTitle') : t('registers.noAccess.manageTitle')}</p>
      <p>
        {t('registers.noAccess.text', {
          permission: need === 'read' ? 'register:read' : 'register:manage',
          roles: roles.length > 0 ? roles.join(', ') : t('registers.noAccess.noRoles'),
        })}
      </p>
    </div>
  );
}

/** A legal basis by its formal name (GDPR and PIPL articles); `short`: as recorded, the formal name on hover. */
export function LegalBasisText({ value, short = false }: { readonly value: string; readonly short?: boolean }) {
  const { t } = useI18n();
  const known = LEGAL_BASES.find((b) => b === value);
  if (known === undefined) return <span title={value}>{value}</span>;
  const formal = t(`registers.basis.${known}`);
  return short ? <span title={formal}>{value}</span> : <span title={value}>{formal}</span>;
}

export function ConclusionTag({ conclusion }: { readonly conclusion: Conclusion }) {
  const { t } = useI18n();
  return (
    <span className={`register-tag conclusion-${conclusion}`} data-conclusion={conclusion}>
      {t(`registers.conclusion.${conclusion}`)}
    </span>
  );
}

function ListValue({ items }: { readonly items: readonly string[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <span className="muted">{t('registers.none')}</span>;
  return (
    <ul className="register-list">
      {items.map((item, i) => (
        <li key={`${String(i)}-${item}`}>{item}</li>
      ))}
    </ul>
  );
}

const yesNo = (value: boolean, t: (key: 'registers.yes' | 'registers.no') => string): string => (value ? t('registers.yes') : t('registers.no'));

/** One version's content, every field labelled (the register's order, as the print page has it). */
export function ActivityFacts({ version }: { readonly version: ActivityVersion }) {
  const { t } = useI18n();
  const a = version.activity;
  return (
    <dl className="facts register-facts" data-version={version.version}>
      <div>
        <dt>{t('registers.field.name')}</dt>
        <dd data-field="name">{a.name}</dd>
      </div>
      <div>
        <dt>{t('registers.field.controller')}</dt>
        <dd data-field="controller">{controllerText(a.controller)}</dd>
      </div>
      <div>
        <dt>{t('registers.field.dataProtectionOfficer')}</dt>
        <dd data-field="dataProtectionOfficer">{a.dataProtectionOfficer ?? <span className="muted">{t('registers.none')}</span>}</dd>
      </div>
      <div>
        <dt>{t('registers.field.purposes')}</dt>
        <dd data-field="purposes">
          <ListValue items={a.purposes} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.legalBasis')}</dt>
        <dd data-field="legalBasis">
          <LegalBasisText value={a.legalBasis} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.dataSubjectCategories')}</dt>
        <dd data-field="dataSubjectCategories">
          <ListValue items={a.dataSubjectCategories} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.dataCategories')}</dt>
        <dd data-field="dataCategories">
          <ListValue items={a.dataCategories} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.recipients')}</dt>
        <dd data-field="recipients">
          <ListValue items={a.recipients} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.transfers')}</dt>
        <dd data-field="transfers">
          <ListValue items={a.transfers.map(transferText)} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.field.erasureTimeLimit')}</dt>
        <dd data-field="erasureTimeLimit">{a.erasureTimeLimit}</dd>
      </div>
      <div>
        <dt>{t('registers.field.securityMeasures')}</dt>
        <dd data-field="securityMeasures">
          <ListValue items={a.securityMeasures} />
        </dd>
      </div>
      {ACTIVITY_FLAGS.map((flag) => (
        <div key={flag}>
          <dt>{t(`registers.field.${flag}`)}</dt>
          <dd data-field={flag}>{yesNo(a[flag], t)}</dd>
        </div>
      ))}
      <div>
        <dt>{t('registers.assessmentRequired')}</dt>
        <dd data-field="assessmentRequired">{yesNo(version.assessmentRequired, t)}</dd>
      </div>
      <div>
        <dt>{t('registers.recorded')}</dt>
        <dd>
          {t('registers.versionBy', { version: version.version, actor: version.recordedBy })} · <DateTime value={version.recordedAt} />
        </dd>
      </div>
      <div>
        <dt>{t('registers.reference')}</dt>
        <dd className="mono break">{version.activityId}</dd>
      </div>
    </dl>
  );
}

/** The changes a version made, one row a field: what it was, what it became (lists: added and removed items). */
export function ChangesTable({ changes, from, to }: { readonly changes: readonly FieldChange[]; readonly from: number; readonly to: number }) {
  const { t } = useI18n();
  const id = useId();
  if (changes.length === 0) return <p className="notice">{t('registers.diff.none', { from, to })}</p>;
  return (
    <div className="table-scroll register-diff" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense" data-changes={changes.length}>
        <caption id={`${id}-caption`}>{t('registers.diff.caption', { from, to, count: changes.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('registers.diff.field')}</th>
            <th scope="col">{t('registers.diff.before', { version: from })}</th>
            <th scope="col">{t('registers.diff.after', { version: to })}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.field} data-changed={change.field}>
              <th scope="row">{t(`registers.field.${change.field}`)}</th>
              {change.kind === 'text' && (
                <>
                  <td>{change.before === '' ? <span className="muted">{t('registers.none')}</span> : <del>{change.before}</del>}</td>
                  <td>{change.after === '' ? <span className="muted">{t('registers.none')}</span> : <ins>{change.after}</ins>}</td>
                </>
              )}
              {change.kind === 'flag' && (
                <>
                  <td>
                    <del>{yesNo(change.before, t)}</del>
                  </td>
                  <td>
                    <ins>{yesNo(change.after, t)}</ins>
                  </td>
                </>
              )}
              {change.kind === 'list' && (
                <>
                  <td>
                    {change.removed.length > 0 && (
                      <>
                        <span className="muted">{t('registers.diff.removed')}</span>
                        <ul className="register-list">
                          {change.removed.map((item, i) => (
                            <li key={`${String(i)}-${item}`}>
                              <del>{item}</del>
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                  <td>
                    {change.added.length > 0 && (
                      <>
                        <span className="muted">{t('registers.diff.added')}</span>
                        <ul className="register-list">
                          {change.added.map((item, i) => (
                            <li key={`${String(i)}-${item}`}>
                              <ins>{item}</ins>
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function IssueText({ issue }: { readonly issue: Issue }) {
  const { t } = useI18n();
  switch (issue.code) {
    case 'required':
      return <>{t('registers.issue.required')}</>;
    case 'tooLong':
      return <>{t('registers.issue.tooLong', { max: issue.max })}</>;
    case 'tooMany':
      return <>{t('registers.issue.tooMany', { max: issue.max })}</>;
    case 'itemTooLong':
      return <>{t('registers.issue.itemTooLong', { max: issue.max, line: issue.line })}</>;
    case 'transferFormat':
      return <>{t('registers.issue.transferFormat', { line: issue.line })}</>;
    case 'date':
      return <>{t('registers.issue.date')}</>;
    case 'choice':
      return <>{t('registers.issue.choice')}</>;
  }
}

/** What a field says below itself: the hint, then the client's or the server's objection. */
function FieldNote({ id, hint, issue, server }: { readonly id: string; readonly hint?: string; readonly issue?: Issue; readonly server?: string }) {
  return (
    <>
      {hint !== undefined && <small id={`${id}-hint`}>{hint}</small>}
      {(issue !== undefined || server !== undefined) && (
        <small id={`${id}-error`} className="field-error">
          {issue !== undefined ? <IssueText issue={issue} /> : server}
        </small>
      )}
    </>
  );
}

const describedBy = (id: string, hint: boolean, error: boolean): string | undefined =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter((s) => s !== '').join(' ') || undefined;

interface FormProps<B> {
  readonly submitLabel: string;
  readonly pending: boolean;
  readonly error: unknown;
  readonly onSubmit: (body: B) => void;
  readonly cancel: ReactNode;
}

const fieldErrorsOf = (error: unknown): readonly FieldError[] | undefined => (error === null || error === undefined ? undefined : problemOf(error).errors);

/** Puts the focus on the first input with an objection (the order of `inputs`). */
function focusFirst<F extends string>(form: HTMLFormElement | null, id: string, inputs: readonly F[], issues: Issues<F>): void {
  const first = inputs.find((input) => issues[input] !== undefined);
  if (first !== undefined) form?.querySelector<HTMLElement>(`#${CSS.escape(`${id}-${first}`)}`)?.focus();
}

const ACTIVITY_INPUT_ORDER: readonly ActivityTextInput[] = [
  'name',
  'purposes',
  'legalBasis',
  'controllerName',
  'controllerContact',
  'dataProtectionOfficer',
  'dataSubjectCategories',
  'dataCategories',
  'recipients',
  'transfers',
  'erasureTimeLimit',
  'securityMeasures',
];

const MULTILINE: ReadonlySet<ActivityTextInput> = new Set([
  'purposes',
  'dataSubjectCategories',
  'dataCategories',
  'recipients',
  'transfers',
  'securityMeasures',
]);
/** Creates or revises an activity: checked here first, the API's refusal shown beside the form and its fields. */
export function ActivityForm({ initial, submitLabel, pending, error, onSubmit, cancel }: FormProps<ActivityBody> & { readonly initial: ActivityDraft }) {
  const { t } = useI18n();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<ActivityDraft>(initial);
  const [issues, setIssues] = useState<Issues<ActivityTextInput>>({});
  const server = serverIssues(fieldErrorsOf(error), activityInputOf);
  const issueCount = Object.keys(issues).length;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkActivity(draft);
    if (!checked.ok) {
      setIssues(checked.issues);
      focusFirst(formRef.current, id, ACTIVITY_INPUT_ORDER, checked.issues);
      return;
    }
    setIssues({});
    onSubmit(checked.body);
  };

  const input = (name: ActivityTextInput, options: { hint?: string; list?: string } = {}) => {
    const issue = issues[name];
    const serverMessage = issue === undefined ? server[name] : undefined;
    const invalid = issue !== undefined || serverMessage !== undefined;
    const common = {
      id: `${id}-${name}`,
      name,
      value: draft[name],
      'aria-invalid': invalid || undefined,
      'aria-describedby': describedBy(`${id}-${name}`, options.hint !== undefined, invalid),
      onChange: (event: { target: { value: string } }) => {
        setDraft((d) => ({ ...d, [name]: event.target.value }));
      },
    };
    return (
      <div className={MULTILINE.has(name) ? 'field wide-field' : 'field'}>
        <label htmlFor={`${id}-${name}`}>{t(`registers.input.${name}`)}</label>
        {MULTILINE.has(name) ? <textarea rows={3} {...common} /> : <input type="text" autoComplete="off" list={options.list} {...common} />}
        <FieldNote id={`${id}-${name}`} hint={options.hint} issue={issue} server={serverMessage} />
      </div>
    );
  };

  return (
    <form ref={formRef} className="register-form" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('registers.form.activity')}</legend>
        <div className="register-grid">
          {input('name', { hint: t('registers.hint.name') })}
          {input('legalBasis', { hint: t('registers.hint.legalBasis'), list: `${id}-bases` })}
          {input('purposes', { hint: t('registers.hint.lines') })}
        </div>
        <datalist id={`${id}-bases`}>
          {LEGAL_BASES.map((basis) => (
            <option key={basis} value={basis}>
              {t(`registers.basis.${basis}`)}
            </option>
          ))}
        </datalist>
      </fieldset>
      <fieldset>
        <legend>{t('registers.form.controller')}</legend>
        <div className="register-grid">
          {input('controllerName')}
          {input('controllerContact', { hint: t('registers.hint.roleAddress') })}
          {input('dataProtectionOfficer', { hint: t('registers.hint.dataProtectionOfficer') })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('registers.form.data')}</legend>
        <div className="register-grid">
          {input('dataSubjectCategories', { hint: t('registers.hint.lines') })}
          {input('dataCategories', { hint: t('registers.hint.lines') })}
          {input('recipients', { hint: t('registers.hint.recipients') })}
          {input('transfers', { hint: t('registers.hint.transfers') })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('registers.form.retention')}</legend>
        <div className="register-grid">
          {input('erasureTimeLimit', { hint: t('registers.hint.erasureTimeLimit') })}
          {input('securityMeasures', { hint: t('registers.hint.lines') })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('registers.form.circumstances')}</legend>
        <p className="muted small">{t('registers.hint.circumstances')}</p>
        {ACTIVITY_FLAGS.map((flag) => (
          <div key={flag} className="check">
            <input
              id={`${id}-${flag}`}
              type="checkbox"
              checked={draft[flag]}
              onChange={(event) => {
                setDraft((d) => ({ ...d, [flag]: event.target.checked }));
              }}
            />
            <label htmlFor={`${id}-${flag}`}>{t(`registers.field.${flag}`)}</label>
          </div>
        ))}
      </fieldset>
      {issueCount > 0 && (
        <p className="notice failure" role="alert">
          {t('registers.form.fix', { count: issueCount })}
        </p>
      )}
      {error !== null && error !== undefined && <ErrorBox error={error} />}
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? t('registers.form.saving') : submitLabel}
        </button>
        {cancel}
      </div>
    </form>
  );
}

type AssessmentText = Exclude<AssessmentInput, 'activityIds' | 'conclusion' | 'assessedOn'>;

/** Records an impact assessment for one or more activities of the register. */
export function AssessmentForm({
  initial,
  activities,
  submitLabel,
  pending,
  error,
  onSubmit,
  cancel,
}: FormProps<AssessmentBody> & { readonly initial: AssessmentDraft; readonly activities: readonly ActivityVersion[] }) {
  const { t } = useI18n();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<AssessmentDraft>(initial);
  const [issues, setIssues] = useState<Issues<AssessmentInput>>({});
  const server = serverIssues(fieldErrorsOf(error), assessmentInputOf);
  const issueCount = Object.keys(issues).length;
  const order: readonly AssessmentInput[] = [
    'activityIds',
    'assessedOn',
    'assessor',
    'lawfulnessAndNecessity',
    'impactOnRights',
    'risks',
    'measures',
    'conclusion',
  ];

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkAssessment(draft);
    if (!checked.ok) {
      setIssues(checked.issues);
      const first = order.find((input) => checked.issues[input] !== undefined);
      if (first === 'activityIds') formRef.current?.querySelector<HTMLElement>('input[name="activityIds"]')?.focus();
      else focusFirst(formRef.current, id, order, checked.issues);
      return;
    }
    setIssues({});
    onSubmit(checked.body);
  };

  const note = (name: AssessmentInput, hint?: string) => {
    const issue = issues[name];
    const serverMessage = issue === undefined ? server[name] : undefined;
    return { issue, serverMessage, invalid: issue !== undefined || serverMessage !== undefined, hint };
  };

  const text = (name: AssessmentText, multiline: boolean, hint?: string) => {
    const n = note(name, hint);
    const common = {
      id: `${id}-${name}`,
      name,
      value: draft[name],
      'aria-invalid': n.invalid || undefined,
      'aria-describedby': describedBy(`${id}-${name}`, hint !== undefined, n.invalid),
      onChange: (event: { target: { value: string } }) => {
        setDraft((d) => ({ ...d, [name]: event.target.value }));
      },
    };
    return (
      <div className={multiline ? 'field wide-field' : 'field'}>
        <label htmlFor={`${id}-${name}`}>{t(`registers.assessment.${name}`)}</label>
        {multiline ? <textarea rows={4} {...common} /> : <input type="text" autoComplete="off" {...common} />}
        <FieldNote id={`${id}-${name}`} hint={hint} issue={n.issue} server={n.serverMessage} />
      </div>
    );
  };

  const activitiesNote = note('activityIds');
  const dateNote = note('assessedOn');
  const conclusionNote = note('conclusion');

  return (
    <form ref={formRef} className="register-form" onSubmit={submit} noValidate>
      <fieldset aria-describedby={activitiesNote.invalid ? `${id}-activityIds-error` : undefined}>
        <legend>{t('registers.assessment.activityIds')}</legend>
        {activities.length === 0 ? (
          <p className="muted">{t('registers.assessment.noActivities')}</p>
        ) : (
          <div className="register-checks">
            {activities.map((v) => (
              <div key={v.activityId} className="check">
                <input
                  id={`${id}-activity-${v.activityId}`}
                  type="checkbox"
                  name="activityIds"
                  value={v.activityId}
                  checked={draft.activityIds.includes(v.activityId)}
                  onChange={(event) => {
                    const checked = event.target.checked;
                    setDraft((d) => ({
                      ...d,
                      activityIds: checked ? [...d.activityIds, v.activityId] : d.activityIds.filter((a) => a !== v.activityId),
                    }));
                  }}
                />
                <label htmlFor={`${id}-activity-${v.activityId}`}>
                  {v.activity.name}
                  {v.assessmentRequired && <span className="muted"> · {t('registers.assessmentRequiredShort')}</span>}
                </label>
              </div>
            ))}
          </div>
        )}
        <FieldNote id={`${id}-activityIds`} issue={activitiesNote.issue} server={activitiesNote.serverMessage} />
      </fieldset>
      <fieldset>
        <legend>{t('registers.assessment.the')}</legend>
        <div className="register-grid">
          <div className="field">
            <label htmlFor={`${id}-assessedOn`}>{t('registers.assessment.assessedOn')}</label>
            <input
              id={`${id}-assessedOn`}
              type="date"
              value={draft.assessedOn}
              aria-invalid={dateNote.invalid || undefined}
              aria-describedby={describedBy(`${id}-assessedOn`, false, dateNote.invalid)}
              onChange={(event) => {
                setDraft((d) => ({ ...d, assessedOn: event.target.value }));
              }}
            />
            <FieldNote id={`${id}-assessedOn`} issue={dateNote.issue} server={dateNote.serverMessage} />
          </div>
          {text('assessor', false, t('registers.hint.assessor'))}
          <div className="field">
            <label htmlFor={`${id}-conclusion`}>{t('registers.assessment.conclusion')}</label>
            <select
              id={`${id}-conclusion`}
              value={draft.conclusion}
              aria-invalid={conclusionNote.invalid || undefined}
              aria-describedby={describedBy(`${id}-conclusion`, false, conclusionNote.invalid)}
              onChange={(event) => {
                const value = CONCLUSIONS.find((c) => c === event.target.value) ?? '';
                setDraft((d) => ({ ...d, conclusion: value }));
              }}
            >
              <option value="">{t('registers.assessment.chooseConclusion')}</option>
              {CONCLUSIONS.map((c) => (
                <option key={c} value={c}>
                  {t(`registers.conclusion.${c}`)}
                </option>
              ))}
            </select>
            <FieldNote id={`${id}-conclusion`} issue={conclusionNote.issue} server={conclusionNote.serverMessage} />
          </div>
          {text('lawfulnessAndNecessity', true)}
          {text('impactOnRights', true)}
          {text('risks', true, t('registers.hint.lines'))}
          {text('measures', true, t('registers.hint.lines'))}
        </div>
      </fieldset>
      {issueCount > 0 && (
        <p className="notice failure" role="alert">
          {t('registers.form.fix', { count: issueCount })}
        </p>
      )}
      {error !== null && error !== undefined && <ErrorBox error={error} />}
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending || activities.length === 0}>
          {pending ? t('registers.form.saving') : submitLabel}
        </button>
        {cancel}
      </div>
    </form>
  );
}

/** The assessments of a list, one row each; a row opens below itself to show the full texts. */
export function AssessmentsTable({
  assessments,
  activityName,
  caption,
}: {
  readonly assessments: readonly RecordedAssessment[];
  readonly activityName: (activityId: string) => ReactNode;
  readonly caption: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (assessmentId: string) => {
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(assessmentId)) next.add(assessmentId);
      return next;
    });
  };
  const COLUMNS = 8;
  return (
    <div className="table-scroll register-table" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="dense" data-assessments={assessments.length}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('registers.assessment.assessedOn')}</th>
            <th scope="col">{t('registers.assessment.activities')}</th>
            <th scope="col">{t('registers.assessment.conclusion')}</th>
            <th scope="col">{t('registers.assessment.assessor')}</th>
            <th scope="col" className="num">
              {t('registers.assessment.risks')}
            </th>
            <th scope="col" className="num">
              {t('registers.assessment.measures')}
            </th>
            <th scope="col">{t('registers.recorded')}</th>
            <th scope="col">{t('registers.assessment.details')}</th>
          </tr>
        </thead>
        <tbody>
          {assessments.map((a) => {
            const expanded = open.has(a.assessmentId);
            return (
              <Fragment key={a.assessmentId}>
                <tr data-assessment={a.assessmentId}>
                  <th scope="row">{a.assessedOn}</th>
                  <td>
                    <ul className="register-list plain">
                      {a.activityIds.map((activityId) => (
                        <li key={activityId}>{activityName(activityId)}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <ConclusionTag conclusion={a.conclusion} />
                  </td>
                  <td>{a.assessor}</td>
                  <td className="num">{a.risks.length}</td>
                  <td className="num">{a.measures.length}</td>
                  <td>
                    <DateTime value={a.recordedAt} style="compact" />
                    <div className="muted mono small" title={a.recordedBy}>
                      {a.recordedBy}
                    </div>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button secondary small-button"
                      aria-expanded={expanded}
                      aria-controls={`${id}-${a.assessmentId}`}
                      onClick={() => {
                        toggle(a.assessmentId);
                      }}
                    >
                      {expanded ? t('registers.assessment.hide') : t('registers.assessment.show')}
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr id={`${id}-${a.assessmentId}`} className="register-details">
                    <td colSpan={COLUMNS}>
                      <dl>
                        <dt>{t('registers.assessment.lawfulnessAndNecessity')}</dt>
                        <dd>{a.lawfulnessAndNecessity}</dd>
                        <dt>{t('registers.assessment.impactOnRights')}</dt>
                        <dd>{a.impactOnRights}</dd>
                        <dt>{t('registers.assessment.risks')}</dt>
                        <dd>
                          <ListValue items={a.risks} />
                        </dd>
                        <dt>{t('registers.assessment.measures')}</dt>
                        <dd>
                          <ListValue items={a.measures} />
                        </dd>
                      </dl>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
