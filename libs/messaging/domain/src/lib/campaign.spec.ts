import { deciderSpec } from '@attest/testing';
import { campaignDecider, MAX_CAMPAIGN_RECIPIENTS, type CampaignEvent } from './campaign';

const spec = deciderSpec(campaignDecider);
const ids = { tenantId: 'acme', campaignId: '0190a9d1-0000-7000-8000-00000000c001' };
const base = { ...ids, actor: 'user:marketer' };
const create = {
  ...base,
  kind: 'CreateCampaign' as const,
  name: ' December ',
  bindingId: 'b-1',
  templateId: '900000000000002',
  recipients: 3,
  selection: 'list' as const,
};
const created: CampaignEvent = {
  type: 'WhatsAppCampaignCreated.v1',
  data: { ...ids, name: 'December', bindingId: 'b-1', templateId: '900000000000002', recipients: 3, selection: 'list', createdBy: 'user:marketer' },
};
const started: CampaignEvent = {
  type: 'WhatsAppCampaignStarted.v1',
  data: { ...ids, purposeKey: 'offers', queued: 1, blocked: { 'decision:NO_CONSENT': 2 }, startedBy: 'user:marketer' },
};
const paused: CampaignEvent = { type: 'WhatsAppCampaignPaused.v1', data: { ...ids, pausedBy: 'user:marketer', reason: null } };
const cancelled: CampaignEvent = { type: 'WhatsAppCampaignCancelled.v1', data: { ...ids, cancelledBy: 'user:marketer', reason: 'wrong offer' } };

describe('WhatsApp campaigns (P7, K8)', () => {
  it('creates a draft with a trimmed name, and refuses no name, no recipients, too many and a second creation', () => {
    spec.given([]).when(create).then([created]);
    spec
      .given([])
      .when({ ...create, name: '  ' })
      .thenRefuses('CAMPAIGN.NAME_REQUIRED');
    spec
      .given([])
      .when({ ...create, recipients: 0 })
      .thenRefuses('CAMPAIGN.NO_RECIPIENTS');
    spec
      .given([])
      .when({ ...create, recipients: MAX_CAMPAIGN_RECIPIENTS + 1 })
      .thenRefuses('CAMPAIGN.TOO_MANY_RECIPIENTS');
    spec.given([created]).when(create).thenRefuses('CAMPAIGN.EXISTS');
  });

  it('starts a draft once, with the gate’s counts; nothing but a draft starts; an unknown campaign is not found', () => {
    const start = { ...base, kind: 'StartCampaign' as const, purposeKey: 'offers', queued: 1, blocked: { 'decision:NO_CONSENT': 2 } };
    spec.given([created]).when(start).then([started]);
    spec.given([created, started]).when(start).thenRefuses('CAMPAIGN.NOT_DRAFT');
    spec.given([created, cancelled]).when(start).thenRefuses('CAMPAIGN.NOT_DRAFT');
    spec.given([]).when(start).thenRefuses('CAMPAIGN.NOT_FOUND');
  });

  it('pauses a running campaign and resumes a paused one, each idempotent; refuses the rest', () => {
    spec
      .given([created, started])
      .when({ ...base, kind: 'PauseCampaign', reason: null })
      .then([paused]);
    spec
      .given([created, started, paused])
      .when({ ...base, kind: 'PauseCampaign', reason: null })
      .then([]);
    spec
      .given([created])
      .when({ ...base, kind: 'PauseCampaign', reason: null })
      .thenRefuses('CAMPAIGN.NOT_RUNNING');
    spec
      .given([created, started, paused])
      .when({ ...base, kind: 'ResumeCampaign' })
      .then([{ type: 'WhatsAppCampaignResumed.v1', data: { ...ids, resumedBy: 'user:marketer' } }]);
    spec
      .given([created, started])
      .when({ ...base, kind: 'ResumeCampaign' })
      .then([]);
    spec
      .given([created, cancelled])
      .when({ ...base, kind: 'ResumeCampaign' })
      .thenRefuses('CAMPAIGN.NOT_PAUSED');
  });

  it('cancels from any state once', () => {
    for (const history of [[created], [created, started], [created, started, paused]]) {
      spec
        .given(history)
        .when({ ...base, kind: 'CancelCampaign', reason: 'wrong offer' })
        .then([cancelled]);
    }
    spec
      .given([created, cancelled])
      .when({ ...base, kind: 'CancelCampaign', reason: 'again' })
      .then([]);
    spec
      .given([])
      .when({ ...base, kind: 'CancelCampaign', reason: null })
      .thenRefuses('CAMPAIGN.NOT_FOUND');
  });
});
