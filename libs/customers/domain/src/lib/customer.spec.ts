import { deciderSpec } from '@attest/testing';
import { customerDecider, PROFILE_FIELD_NAMES, PROFILE_FIELDS, type CustomerEvent } from './customer';

const spec = deciderSpec(customerDecider);
const base = { customerId: 'c-1', tenantId: 'acme', actor: 'user:u', today: '2026-11-22' };
const ids = { customerId: 'c-1', tenantId: 'acme' };
const created: CustomerEvent = {
  type: 'CustomerCreated.v1',
  data: { ...ids, profile: { name: 'Li Wei', birthDate: '1990-01-01' }, tags: ['vip'], under14: false, createdBy: 'user:u' },
};

describe('customer decider (C1, C2, K4)', () => {
  it('C2: classifies every profile field', () => {
    expect(PROFILE_FIELD_NAMES.length).toBeGreaterThan(0);
    for (const f of PROFILE_FIELD_NAMES) expect(['personal', 'specific-identity', 'financial-account', 'medical-health']).toContain(PROFILE_FIELDS[f]);
  });

  it('C1: creates a profile with sorted unique tags; K4 flags a subject under 14 from the birth date', () => {
    spec
      .given([])
      .when({ ...base, kind: 'CreateCustomer', profile: { name: 'Li Wei', birthDate: '1990-01-01' }, tags: ['vip', 'vip'] })
      .then([created]);
    spec
      .given([])
      .when({ ...base, kind: 'CreateCustomer', profile: { birthDate: '2012-11-23' }, tags: [] })
      .then([{ type: 'CustomerCreated.v1', data: { ...ids, profile: { birthDate: '2012-11-23' }, tags: [], under14: true, createdBy: 'user:u' } }]);
    spec
      .given([])
      .when({ ...base, kind: 'CreateCustomer', profile: { birthDate: '2012-11-22' }, tags: [] })
      .then([{ type: 'CustomerCreated.v1', data: { ...ids, profile: { birthDate: '2012-11-22' }, tags: [], under14: false, createdBy: 'user:u' } }]);
  });

  it('updates, re-evaluating the age flag', () => {
    spec
      .given([created])
      .when({ ...base, kind: 'UpdateCustomer', changes: { birthDate: '2015-01-01' } })
      .then([{ type: 'CustomerUpdated.v1', data: { ...ids, changes: { birthDate: '2015-01-01' }, under14: true, updatedBy: 'user:u' } }]);
    spec
      .given([created])
      .when({ ...base, kind: 'UpdateCustomer', changes: { email: 'x@example.com' } })
      .then([{ type: 'CustomerUpdated.v1', data: { ...ids, changes: { email: 'x@example.com' }, under14: false, updatedBy: 'user:u' } }]);
  });

  it('tags, records follow-ups, restricts and lifts', () => {
    spec
      .given([created])
      .when({ ...base, kind: 'TagCustomer', add: ['b2b', 'vip'], remove: ['vip', 'none'] })
      .then([{ type: 'CustomerTagged.v1', data: { ...ids, added: ['b2b'], removed: ['vip'], taggedBy: 'user:u' } }]);
    spec
      .given([created])
      .when({ ...base, kind: 'TagCustomer', add: ['vip'], remove: [] })
      .then([]);
    spec
      .given([created])
      .when({ ...base, kind: 'RecordFollowUp', followUpId: 'f-1', channel: 'phone', note: 'call back', dueOn: null })
      .then([{ type: 'FollowUpRecorded.v1', data: { ...ids, followUpId: 'f-1', channel: 'phone', note: 'call back', dueOn: null, recordedBy: 'user:u' } }]);
    const restricted: CustomerEvent = { type: 'CustomerProcessingRestricted.v1', data: { ...ids, reason: 'accuracy-contested', restrictedBy: 'user:u' } };
    spec
      .given([created])
      .when({ ...base, kind: 'RestrictProcessing', reason: 'accuracy-contested' })
      .then([restricted]);
    spec
      .given([created, restricted])
      .when({ ...base, kind: 'LiftRestriction' })
      .then([{ type: 'CustomerRestrictionLifted.v1', data: { ...ids, liftedBy: 'user:u' } }]);
  });

  it('refuses what does not fit', () => {
    spec
      .given([created])
      .when({ ...base, kind: 'CreateCustomer', profile: {}, tags: [] })
      .thenRefuses('CUSTOMER.ALREADY_EXISTS');
    spec
      .given([])
      .when({ ...base, kind: 'CreateCustomer', profile: { birthDate: '2027-01-01' }, tags: [] })
      .thenRefuses('CUSTOMER.BIRTH_DATE_IN_FUTURE');
    spec
      .given([created])
      .when({ ...base, kind: 'UpdateCustomer', changes: { birthDate: '2027-01-01' } })
      .thenRefuses('CUSTOMER.BIRTH_DATE_IN_FUTURE');
    spec
      .given([created])
      .when({ ...base, kind: 'UpdateCustomer', changes: {} })
      .thenRefuses('CUSTOMER.NOTHING_TO_UPDATE');
    spec
      .given([])
      .when({ ...base, kind: 'LiftRestriction' })
      .thenRefuses('CUSTOMER.NOT_FOUND');
    spec
      .given([created])
      .when({ ...base, tenantId: 'other', kind: 'LiftRestriction' })
      .thenRefuses('CUSTOMER.NOT_FOUND');
    spec
      .given([created])
      .when({ ...base, kind: 'LiftRestriction' })
      .thenRefuses('CUSTOMER.NOT_RESTRICTED');
    const restricted: CustomerEvent = { type: 'CustomerProcessingRestricted.v1', data: { ...ids, reason: 'r', restrictedBy: 'x' } };
    spec
      .given([created, restricted])
      .when({ ...base, kind: 'RestrictProcessing', reason: 'r' })
      .thenRefuses('CUSTOMER.ALREADY_RESTRICTED');
    const followUp: CustomerEvent = {
      type: 'FollowUpRecorded.v1',
      data: { ...ids, followUpId: 'f-1', channel: 'phone', note: 'n', dueOn: null, recordedBy: 'x' },
    };
    spec
      .given([created, followUp])
      .when({ ...base, kind: 'RecordFollowUp', followUpId: 'f-1', channel: 'phone', note: 'n', dueOn: null })
      .thenRefuses('FOLLOW_UP.EXISTS');
  });

  it('D4: erases once; afterwards only erasing again is accepted, as a no-op', () => {
    const erased: CustomerEvent = { type: 'CustomerErased.v1', data: { ...ids, requestId: 'r-1', erasedBy: 'user:u' } };
    spec
      .given([created])
      .when({ ...base, kind: 'EraseCustomer', requestId: 'r-1' })
      .then([erased]);
    spec
      .given([created, erased])
      .when({ ...base, kind: 'EraseCustomer', requestId: 'r-1' })
      .then([]);
    spec
      .given([created, erased])
      .when({ ...base, kind: 'UpdateCustomer', changes: { email: 'x@example.com' } })
      .thenRefuses('CUSTOMER.ERASED');
    spec
      .given([created, erased])
      .when({ ...base, kind: 'RestrictProcessing', reason: 'r' })
      .thenRefuses('CUSTOMER.ERASED');
    spec
      .given([])
      .when({ ...base, kind: 'EraseCustomer', requestId: null })
      .thenRefuses('CUSTOMER.NOT_FOUND');
  });
});
