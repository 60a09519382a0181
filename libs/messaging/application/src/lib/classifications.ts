import type { CampaignEvent, TemplateEvent } from '@attest/messaging-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';
import { NON_PROCESSING, type ProcessingMap } from '@attest/security';

const TEMPLATE_IDS = { tenantId: 'not-personal', bindingId: 'not-personal', templateId: 'not-personal' } as const;
const CAMPAIGN_IDS = { tenantId: 'not-personal', campaignId: 'not-personal' } as const;

/**
 * The messaging context's events hold no personal data (ADR 0015, 6): templates are the
 * tenant's, campaigns carry ids and counts. A recipient's number and a message's parameters are
 * sealed under the subject's key in messaging's message log, never in an event.
 */
export const messagingClassificationTable: ClassificationTable<TemplateEvent | CampaignEvent> = {
  'WhatsAppTemplateSynced.v1': {
    fields: {
      ...TEMPLATE_IDS,
      name: 'not-personal',
      language: 'not-personal',
      category: 'not-personal',
      status: 'not-personal',
      parameters: 'not-personal',
      syncedBy: 'not-personal',
    },
  },
  'WhatsAppTemplateStatusChanged.v1': {
    fields: { ...TEMPLATE_IDS, status: 'not-personal', previous: 'not-personal', reason: 'not-personal', source: 'not-personal' },
  },
  'WhatsAppTemplateMapped.v1': {
    fields: { ...TEMPLATE_IDS, purposeId: 'not-personal', legalBasis: 'not-personal', category: 'not-personal', mappedBy: 'not-personal' },
  },
  'WhatsAppCampaignCreated.v1': {
    fields: {
      ...CAMPAIGN_IDS,
      name: 'not-personal',
      bindingId: 'not-personal',
      templateId: 'not-personal',
      recipients: 'not-personal',
      selection: 'not-personal',
      createdBy: 'not-personal',
    },
  },
  'WhatsAppCampaignStarted.v1': {
    fields: { ...CAMPAIGN_IDS, purposeKey: 'not-personal', queued: 'not-personal', blocked: 'not-personal', startedBy: 'not-personal' },
  },
  'WhatsAppCampaignPaused.v1': { fields: { ...CAMPAIGN_IDS, pausedBy: 'not-personal', reason: 'not-personal' } },
  'WhatsAppCampaignResumed.v1': { fields: { ...CAMPAIGN_IDS, resumedBy: 'not-personal' } },
  'WhatsAppCampaignCancelled.v1': { fields: { ...CAMPAIGN_IDS, cancelledBy: 'not-personal', reason: 'not-personal' } },
};

export const messagingEventClassifications = classificationsOf(messagingClassificationTable);

/**
 * P1: the events themselves process no subject's data. Each recipient's decision is recorded by
 * the consent context, each block by the tenant's rules, each send and status change by the
 * gate and the dispatcher (kind `transfer`, method `whatsapp-cloud-api`) through the journal.
 */
export const messagingProcessingMap: ProcessingMap = Object.fromEntries(Object.keys(messagingClassificationTable).map((type) => [type, NON_PROCESSING]));
