import { deciderSpec } from '@attest/testing';
import { fold } from '@attest/kernel';
import { stopsQueuedSends, templateBlock, templateDecider, type TemplateEvent } from './template';

const spec = deciderSpec(templateDecider);
const ids = { tenantId: 'acme', bindingId: 'b-1', templateId: '900000000000002' };
const base = { ...ids, actor: 'user:admin' };
const listed = { templateId: ids.templateId, name: 'spring_sale', language: 'en_US', category: 'MARKETING' as const, status: 'APPROVED', parameters: 1 };
const synced: TemplateEvent = {
  type: 'WhatsAppTemplateSynced.v1',
  data: { ...ids, name: 'spring_sale', language: 'en_US', category: 'MARKETING', status: 'APPROVED', parameters: 1, syncedBy: 'user:admin' },
};
const consentPurpose = { purposeId: 'p-newsletter', active: true, legalBasis: 'consent' as const, channels: ['whatsapp' as const, 'email' as const] };
const mapped: TemplateEvent = {
  type: 'WhatsAppTemplateMapped.v1',
  data: { ...ids, purposeId: 'p-newsletter', legalBasis: 'consent', category: 'MARKETING', mappedBy: 'user:admin' },
};

describe('WhatsApp templates (P7, K8)', () => {
  it('registers a template on its first sync, records a status change seen by a later sync, and nothing when nothing changed', () => {
    spec
      .given([])
      .when({ ...base, kind: 'SyncTemplate', listed })
      .then([synced]);
    spec
      .given([synced])
      .when({ ...base, kind: 'SyncTemplate', listed })
      .then([]);
    spec
      .given([synced])
      .when({ ...base, kind: 'SyncTemplate', listed: { ...listed, status: 'PAUSED' } })
      .then([{ type: 'WhatsAppTemplateStatusChanged.v1', data: { ...ids, status: 'PAUSED', previous: 'APPROVED', reason: null, source: 'sync' } }]);
  });

  it('takes a status from the webhook, once', () => {
    spec
      .given([synced])
      .when({ ...base, kind: 'ChangeTemplateStatus', status: 'DISABLED', reason: 'SCAM' })
      .then([{ type: 'WhatsAppTemplateStatusChanged.v1', data: { ...ids, status: 'DISABLED', previous: 'APPROVED', reason: 'SCAM', source: 'webhook' } }]);
    spec
      .given([synced])
      .when({ ...base, kind: 'ChangeTemplateStatus', status: 'APPROVED', reason: null })
      .then([]);
    spec
      .given([])
      .when({ ...base, kind: 'ChangeTemplateStatus', status: 'PAUSED', reason: null })
      .thenRefuses('TEMPLATE.NOT_FOUND');
  });

  it('K8: maps a marketing template only to an active purpose on whatsapp whose legal basis is consent', () => {
    spec
      .given([synced])
      .when({ ...base, kind: 'MapTemplate', purpose: consentPurpose })
      .then([mapped]);
    spec
      .given([synced, mapped])
      .when({ ...base, kind: 'MapTemplate', purpose: consentPurpose })
      .then([]);
    spec
      .given([synced])
      .when({ ...base, kind: 'MapTemplate', purpose: { ...consentPurpose, legalBasis: 'legitimate-interests' } })
      .thenRefuses('TEMPLATE.MARKETING_NEEDS_CONSENT');
    spec
      .given([synced])
      .when({ ...base, kind: 'MapTemplate', purpose: { ...consentPurpose, channels: ['email'] } })
      .thenRefuses('TEMPLATE.PURPOSE_CHANNEL');
    spec
      .given([synced])
      .when({ ...base, kind: 'MapTemplate', purpose: { ...consentPurpose, active: false } })
      .thenRefuses('TEMPLATE.PURPOSE_INACTIVE');
    spec
      .given([])
      .when({ ...base, kind: 'MapTemplate', purpose: consentPurpose })
      .thenRefuses('TEMPLATE.NOT_FOUND');
  });

  it('maps a utility template to a purpose on another legal basis (a contract)', () => {
    const utility: TemplateEvent = { ...synced, data: { ...synced.data, name: 'order_update', category: 'UTILITY', parameters: 2 } };
    spec
      .given([utility])
      .when({ ...base, kind: 'MapTemplate', purpose: { ...consentPurpose, purposeId: 'p-orders', legalBasis: 'contract' } })
      .then([
        { type: 'WhatsAppTemplateMapped.v1', data: { ...ids, purposeId: 'p-orders', legalBasis: 'contract', category: 'UTILITY', mappedBy: 'user:admin' } },
      ]);
  });

  it('can be sent only when approved and mapped for its current category; Meta re-categorising it suspends the mapping', () => {
    const state = (events: readonly TemplateEvent[]) => fold(templateDecider, events);
    expect(templateBlock(state([synced]))).toBe('not-mapped');
    expect(templateBlock(state([synced, mapped]))).toBeNull();
    const paused: TemplateEvent = {
      type: 'WhatsAppTemplateStatusChanged.v1',
      data: { ...ids, status: 'PAUSED', previous: 'APPROVED', reason: null, source: 'webhook' },
    };
    expect(templateBlock(state([synced, mapped, paused]))).toBe('not-approved');
    const utilityMapped: TemplateEvent = { ...mapped, data: { ...mapped.data, category: 'UTILITY', legalBasis: 'contract' } };
    const asUtility: TemplateEvent = { ...synced, data: { ...synced.data, category: 'UTILITY' } };
    spec
      .given([asUtility, utilityMapped])
      .when({ ...base, kind: 'SyncTemplate', listed })
      .then([synced]);
    expect(templateBlock(state([asUtility, utilityMapped, synced]))).toBe('mapping-outdated');
  });

  it('a paused, disabled or deleted template stops its queued messages; pending or in appeal does not', () => {
    expect(['PAUSED', 'DISABLED', 'DELETED', 'REJECTED', 'PENDING_DELETION'].every(stopsQueuedSends)).toBe(true);
    expect(['APPROVED', 'PENDING', 'IN_APPEAL'].some(stopsQueuedSends)).toBe(false);
  });
});
