import type { ActivityVersion, ProcessingActivity } from './activity';
import { changesOf, diffActivities, previousVersion, without } from './diff';

const newsletter: ProcessingActivity = {
  name: 'Newsletter',
  controller: { name: 'Acme Ltd', contact: 'privacy@acme.example' },
  dataProtectionOfficer: 'dpo@acme.example',
  purposes: ['newsletter'],
  legalBasis: 'consent',
  dataSubjectCategories: ['customers'],
  dataCategories: ['contact'],
  recipients: ['mail service provider'],
  transfers: [],
  erasureTimeLimit: '2 years after the last contact',
  securityMeasures: ['per-subject encryption'],
  sensitiveData: false,
  automatedDecisionMaking: false,
  entrustedProcessing: true,
  providedToOthers: false,
  publicDisclosure: false,
};

const version = (n: number, activity: ProcessingActivity): ActivityVersion => ({
  activityId: '0192a000-0000-7000-8000-000000000001',
  version: n,
  activity,
  recordedBy: 'user:officer',
  recordedAt: `2026-11-0${String(n)}T08:00:00.000Z`,
  assessmentRequired: activity.entrustedProcessing,
});

describe('diffActivities', () => {
  it('finds nothing between equal contents', () => {
    expect(diffActivities(newsletter, { ...newsletter })).toEqual([]);
  });

  it('lists each changed field once, in the register’s order: texts, list items added and removed, switched flags', () => {
    const revised: ProcessingActivity = {
      ...newsletter,
      erasureTimeLimit: '1 year after the last contact',
      purposes: ['newsletter', 'product announcements'],
      recipients: [],
      transfers: [{ country: 'US', safeguards: 'SCC 2021/914' }],
      controller: { name: 'Acme Ltd', contact: 'dpo-office@acme.example' },
      sensitiveData: true,
    };
    expect(diffActivities(newsletter, revised)).toEqual([
      { field: 'controller', kind: 'text', before: 'Acme Ltd (privacy@acme.example)', after: 'Acme Ltd (dpo-office@acme.example)' },
      { field: 'purposes', kind: 'list', added: ['product announcements'], removed: [] },
      { field: 'recipients', kind: 'list', added: [], removed: ['mail service provider'] },
      { field: 'transfers', kind: 'list', added: ['US: SCC 2021/914'], removed: [] },
      { field: 'erasureTimeLimit', kind: 'text', before: '2 years after the last contact', after: '1 year after the last contact' },
      { field: 'sensitiveData', kind: 'flag', before: false, after: true },
    ]);
  });

  it('treats a reordered list as unchanged, and a changed transfer as one removed and one added', () => {
    const a = { ...newsletter, purposes: ['a', 'b'], transfers: [{ country: 'US', safeguards: 'SCC' }] };
    const b = { ...newsletter, purposes: ['b', 'a'], transfers: [{ country: 'US', safeguards: 'BCR' }] };
    expect(diffActivities(a, b)).toEqual([{ field: 'transfers', kind: 'list', added: ['US: BCR'], removed: ['US: SCC'] }]);
  });

  it('shows a data protection officer that was absent (null) as empty text', () => {
    expect(diffActivities({ ...newsletter, dataProtectionOfficer: null }, newsletter)).toEqual([
      { field: 'dataProtectionOfficer', kind: 'text', before: '', after: 'dpo@acme.example' },
    ]);
  });
});

describe('without (multiset difference)', () => {
  it('counts repeats and keeps the order of the first list', () => {
    expect(without(['x', 'y', 'x', 'z'], ['x'])).toEqual(['y', 'x', 'z']);
    expect(without(['x'], ['x', 'x'])).toEqual([]);
    expect(without([], ['x'])).toEqual([]);
  });
});

describe('versions', () => {
  const versions = [
    version(1, newsletter),
    version(2, { ...newsletter, name: 'Monthly newsletter' }),
    version(3, { ...newsletter, name: 'Monthly newsletter' }),
  ];

  it('the version before a version, whatever the order of the list', () => {
    expect(previousVersion([...versions].reverse(), 3)?.version).toBe(2);
    expect(previousVersion(versions, 1)).toBeUndefined();
  });

  it('what a version changed: null for the first, [] when saved unchanged', () => {
    expect(changesOf(versions, versions[0]!)).toBeNull();
    expect(changesOf(versions, versions[1]!)).toEqual([{ field: 'name', kind: 'text', before: 'Newsletter', after: 'Monthly newsletter' }]);
    expect(changesOf(versions, versions[2]!)).toEqual([]);
  });
});
