import type { FieldError } from '../api/problem';
import type { ProcessingActivity } from './activity';
import {
  activityDraft,
  activityInputOf,
  assessmentInputOf,
  checkActivity,
  checkAssessment,
  EMPTY_ACTIVITY,
  emptyAssessment,
  isCalendarDate,
  lines,
  localDate,
  parseTransfer,
  serverIssues,
  type ActivityDraft,
} from './forms';

const ID = '0192a000-0000-7000-8000-00000000000a';

const filled: ActivityDraft = {
  ...EMPTY_ACTIVITY,
  name: '  Newsletter ',
  controllerName: 'Acme Ltd',
  controllerContact: 'privacy@acme.example',
  dataProtectionOfficer: 'none designated',
  purposes: 'newsletter\n\n  product news  \n',
  legalBasis: 'consent',
  dataSubjectCategories: 'customers',
  dataCategories: 'contact\r\nbehaviour',
  recipients: '',
  transfers: 'us: Standard contractual clauses 2021/914\nSG：Binding corporate rules',
  erasureTimeLimit: '2 years after the last contact',
  securityMeasures: 'per-subject encryption',
  entrustedProcessing: true,
};

describe('the activity form', () => {
  it('sends trimmed texts, lists without blank lines, transfers parsed, flags as chosen', () => {
    const checked = checkActivity(filled);
    expect(checked).toEqual({
      ok: true,
      body: {
        name: 'Newsletter',
        controller: { name: 'Acme Ltd', contact: 'privacy@acme.example' },
        dataProtectionOfficer: 'none designated',
        purposes: ['newsletter', 'product news'],
        legalBasis: 'consent',
        dataSubjectCategories: ['customers'],
        dataCategories: ['contact', 'behaviour'],
        recipients: [],
        transfers: [
          { country: 'US', safeguards: 'Standard contractual clauses 2021/914' },
          { country: 'SG', safeguards: 'Binding corporate rules' },
        ],
        erasureTimeLimit: '2 years after the last contact',
        securityMeasures: ['per-subject encryption'],
        sensitiveData: false,
        automatedDecisionMaking: false,
        entrustedProcessing: true,
        providedToOthers: false,
        publicDisclosure: false,
      },
    });
  });

  it('refuses what the API refuses: empty required fields and lists, too long texts, too many lines, bad transfers', () => {
    expect(checkActivity(EMPTY_ACTIVITY)).toEqual({
      ok: false,
      issues: {
        name: { code: 'required' },
        controllerName: { code: 'required' },
        controllerContact: { code: 'required' },
        dataProtectionOfficer: { code: 'required' },
        purposes: { code: 'required' },
        legalBasis: { code: 'required' },
        dataSubjectCategories: { code: 'required' },
        dataCategories: { code: 'required' },
        erasureTimeLimit: { code: 'required' },
        securityMeasures: { code: 'required' },
      },
    });
    const wrong = checkActivity({
      ...filled,
      name: 'n'.repeat(201),
      legalBasis: 'b'.repeat(101),
      erasureTimeLimit: 'e'.repeat(501),
      purposes: Array.from({ length: 51 }, (_, i) => `p${String(i)}`).join('\n'),
      dataCategories: `contact\n${'c'.repeat(201)}`,
      transfers: 'US: SCC\nUSA: SCC',
    });
    expect(wrong).toEqual({
      ok: false,
      issues: {
        name: { code: 'tooLong', max: 200 },
        legalBasis: { code: 'tooLong', max: 100 },
        erasureTimeLimit: { code: 'tooLong', max: 500 },
        purposes: { code: 'tooMany', max: 50 },
        dataCategories: { code: 'itemTooLong', max: 200, line: 2 },
        transfers: { code: 'transferFormat', line: 2 },
      },
    });
    expect(checkActivity({ ...filled, transfers: `US: ${'s'.repeat(501)}` })).toEqual({
      ok: false,
      issues: { transfers: { code: 'itemTooLong', max: 500, line: 1 } },
    });
    expect(checkActivity({ ...filled, name: 'n'.repeat(200) }).ok).toBe(true);
  });

  it('revising starts from the version’s content, and saving it unchanged sends the same content', () => {
    const activity: ProcessingActivity = {
      name: 'Orders',
      controller: { name: 'Acme', contact: 'privacy@acme.example' },
      dataProtectionOfficer: null,
      purposes: ['order fulfilment', 'invoicing'],
      legalBasis: 'contract',
      dataSubjectCategories: ['customers'],
      dataCategories: ['contact', 'transactions'],
      recipients: ['carrier'],
      transfers: [{ country: 'US', safeguards: 'SCC' }],
      erasureTimeLimit: '10 years (tax law)',
      securityMeasures: ['TLS'],
      sensitiveData: false,
      automatedDecisionMaking: false,
      entrustedProcessing: true,
      providedToOthers: true,
      publicDisclosure: false,
    };
    const draft = activityDraft(activity);
    expect(draft.purposes).toBe('order fulfilment\ninvoicing');
    expect(draft.transfers).toBe('US: SCC');
    // A DPO the API stored as null must be named to save again (the API requires one now).
    expect(checkActivity(draft)).toEqual({ ok: false, issues: { dataProtectionOfficer: { code: 'required' } } });
    expect(checkActivity({ ...draft, dataProtectionOfficer: 'none designated' })).toEqual({
      ok: true,
      body: { ...activity, dataProtectionOfficer: 'none designated' },
    });
  });

  it('parses a transfer line', () => {
    expect(parseTransfer('de : Adequacy decision')).toEqual({ country: 'DE', safeguards: 'Adequacy decision' });
    expect(parseTransfer('Germany: x')).toBeNull();
    expect(parseTransfer('US:')).toBeNull();
    expect(lines(' a \n\n b ')).toEqual(['a', 'b']);
  });

  it('puts the API’s field errors beside the inputs they name', () => {
    const errors: FieldError[] = [
      { field: 'name', code: 'invalidText', message: 'name holds a NUL character' },
      { field: 'name', code: 'maxLength', message: 'second message' },
      { field: 'controller.contact', code: 'isString', message: 'contact must be a string' },
      { field: 'transfers.0.country', code: 'matches', message: 'country must match' },
      { field: 'unknown', code: 'x', message: 'ignored' },
    ];
    expect(serverIssues(errors, activityInputOf)).toEqual({
      name: 'name holds a NUL character',
      controllerContact: 'contact must be a string',
      transfers: 'country must match',
    });
    expect(activityInputOf('controller')).toBe('controllerName');
    expect(serverIssues(undefined, activityInputOf)).toEqual({});
  });
});

describe('the assessment form', () => {
  const draft = {
    ...emptyAssessment([ID], '2026-11-20'),
    assessor: ' Privacy team ',
    lawfulnessAndNecessity: 'Needed to deliver orders.',
    impactOnRights: 'Low.',
    risks: 'carrier loses a parcel label\n',
    measures: '',
    conclusion: 'acceptable-with-measures' as const,
  };

  it('sends the activities once each, trimmed texts, risks and measures as lists', () => {
    expect(checkAssessment({ ...draft, activityIds: [ID, ID] })).toEqual({
      ok: true,
      body: {
        activityIds: [ID],
        assessedOn: '2026-11-20',
        assessor: 'Privacy team',
        lawfulnessAndNecessity: 'Needed to deliver orders.',
        impactOnRights: 'Low.',
        risks: ['carrier loses a parcel label'],
        measures: [],
        conclusion: 'acceptable-with-measures',
      },
    });
  });

  it('refuses no activity, a date that does not exist, empty texts, no conclusion, long lists', () => {
    expect(checkAssessment({ ...emptyAssessment([], ''), risks: Array.from({ length: 101 }, () => 'r').join('\n') })).toEqual({
      ok: false,
      issues: {
        activityIds: { code: 'required' },
        assessedOn: { code: 'required' },
        assessor: { code: 'required' },
        lawfulnessAndNecessity: { code: 'required' },
        impactOnRights: { code: 'required' },
        risks: { code: 'tooMany', max: 100 },
        conclusion: { code: 'required' },
      },
    });
    expect(checkAssessment({ ...draft, assessedOn: '2026-02-30', activityIds: ['x'], measures: 'm'.repeat(1001) })).toEqual({
      ok: false,
      issues: { activityIds: { code: 'choice' }, assessedOn: { code: 'date' }, measures: { code: 'itemTooLong', max: 1000, line: 1 } },
    });
    expect(checkAssessment({ ...draft, lawfulnessAndNecessity: 'x'.repeat(5001) })).toEqual({
      ok: false,
      issues: { lawfulnessAndNecessity: { code: 'tooLong', max: 5000 } },
    });
  });

  it('dates in the person’s calendar', () => {
    expect(localDate(new Date(2026, 0, 5, 23, 30))).toBe('2026-01-05');
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('26-02-01')).toBe(false);
    expect(assessmentInputOf('activityIds.0')).toBe('activityIds');
    expect(assessmentInputOf('nope')).toBeUndefined();
  });
});
