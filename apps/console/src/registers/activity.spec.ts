import {
  assessmentsOf,
  assessmentStatus,
  filterActivities,
  isUuid,
  newestFirst,
  registerAccess,
  type ActivityVersion,
  type RecordedAssessment,
} from './activity';

const ID_A = '0192a000-0000-7000-8000-00000000000a';
const ID_B = '0192a000-0000-7000-8000-00000000000b';

const version = (activityId: string, n: number, name: string, assessmentRequired: boolean): ActivityVersion => ({
  activityId,
  version: n,
  activity: {
    name,
    controller: { name: 'Acme', contact: 'privacy@acme.example' },
    dataProtectionOfficer: null,
    purposes: ['newsletter'],
    legalBasis: 'consent',
    dataSubjectCategories: ['customers'],
    dataCategories: ['contact'],
    recipients: ['Mail provider'],
    transfers: [],
    erasureTimeLimit: '2 years',
    securityMeasures: ['encryption'],
    sensitiveData: assessmentRequired,
    automatedDecisionMaking: false,
    entrustedProcessing: false,
    providedToOthers: false,
    publicDisclosure: false,
  },
  recordedBy: 'user:x',
  recordedAt: '2026-11-01T00:00:00.000Z',
  assessmentRequired,
});

const assessment = (id: string, activityIds: string[], assessedOn: string, recordedAt = '2026-11-02T00:00:00.000Z'): RecordedAssessment => ({
  assessmentId: id,
  activityIds,
  assessedOn,
  assessor: 'Privacy team',
  lawfulnessAndNecessity: 'x',
  impactOnRights: 'y',
  risks: [],
  measures: [],
  conclusion: 'acceptable',
  recordedBy: 'user:x',
  recordedAt,
});

describe('registerAccess', () => {
  it('reads the session’s permissions', () => {
    expect(registerAccess(['register:read', 'register:manage'])).toBe('manage');
    expect(registerAccess(['register:read'])).toBe('read');
    expect(registerAccess(['register:manage'])).toBe('none');
    expect(registerAccess(['processing-record:read'])).toBe('none');
  });
});

describe('assessments of an activity', () => {
  const all = [assessment('1', [ID_A], '2026-10-01'), assessment('2', [ID_A, ID_B], '2026-11-01'), assessment('3', [ID_B], '2026-12-01')];

  it('keeps those that cover it, latest assessment date first', () => {
    expect(assessmentsOf(all, ID_A).map((a) => a.assessmentId)).toEqual(['2', '1']);
    expect(assessmentsOf(all, '0192a000-0000-7000-8000-0000000000ff')).toEqual([]);
  });

  it('says whether a required assessment is missing', () => {
    expect(assessmentStatus(version(ID_A, 1, 'A', true), [])).toEqual({ kind: 'missing' });
    expect(assessmentStatus(version(ID_A, 1, 'A', true), all)).toMatchObject({ kind: 'recorded', latest: { assessmentId: '2' } });
    expect(assessmentStatus(version(ID_A, 1, 'A', false), [])).toEqual({ kind: 'not-required' });
    expect(assessmentStatus(version(ID_B, 1, 'B', false), all)).toMatchObject({ kind: 'not-required', latest: { assessmentId: '3' } });
  });
});

describe('the table', () => {
  it('filters by every word, any case, over names, purposes, basis, categories and recipients', () => {
    const versions = [version(ID_A, 1, 'Newsletter', false), version(ID_B, 2, 'Order fulfilment', true)];
    expect(filterActivities(versions, undefined)).toHaveLength(2);
    expect(filterActivities(versions, 'ORDER').map((v) => v.activityId)).toEqual([ID_B]);
    expect(filterActivities(versions, 'mail consent').map((v) => v.activityId)).toEqual([ID_A, ID_B]);
    expect(filterActivities(versions, 'newsletter fulfilment').map((v) => v.activityId)).toEqual([ID_B]);
    expect(filterActivities(versions, 'newsletter invoicing')).toEqual([]);
  });

  it('sorts versions newest first without changing the list', () => {
    const versions = [version(ID_A, 1, 'A', false), version(ID_A, 3, 'A', false), version(ID_A, 2, 'A', false)];
    expect(newestFirst(versions).map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions.map((v) => v.version)).toEqual([1, 3, 2]);
  });

  it('knows an activity id', () => {
    expect(isUuid(ID_A)).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });
});
