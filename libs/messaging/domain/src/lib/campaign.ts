import { DomainError, type Decider } from '@attest/kernel';

/**
 * A group send (P7, K8; ADR 0015, 5–8): a template of a bound number sent to a list of the
 * tenant's customers. One stream per campaign, `whatsapp-campaign-<campaignId>`. Its events
 * hold no personal data: ids, counts and reasons only. Who was allowed or blocked, and why, is
 * in messaging's message log (one row per recipient) and in the processing record (one decision
 * per recipient); the campaign's stream says what was done to the whole.
 *
 * draft → started (gated: every recipient decided, the allowed ones queued) ⇄ paused → cancelled.
 * Gating happens once, at start; a paused campaign keeps its queue, a cancelled one drops it.
 */

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly tenantId: string; readonly campaignId: string } };

export type WhatsAppCampaignCreated = E<
  'WhatsAppCampaignCreated.v1',
  {
    readonly name: string;
    readonly bindingId: string;
    readonly templateId: string;
    readonly recipients: number;
    /** `list` (customer ids given) or `filter` (a saved filter of the customer list, resolved at creation). */
    readonly selection: 'list' | 'filter';
    readonly createdBy: string;
  }
>;
export type WhatsAppCampaignStarted = E<
  'WhatsAppCampaignStarted.v1',
  {
    readonly purposeKey: string;
    readonly queued: number;
    /** Recipients refused, by the step and reason that refused them (`decision:CONSENT.WITHDRAWN`, `rule:suppressed` …). */
    readonly blocked: Readonly<Record<string, number>>;
    readonly startedBy: string;
  }
>;
export type WhatsAppCampaignPaused = E<'WhatsAppCampaignPaused.v1', { readonly pausedBy: string; readonly reason: string | null }>;
export type WhatsAppCampaignResumed = E<'WhatsAppCampaignResumed.v1', { readonly resumedBy: string }>;
export type WhatsAppCampaignCancelled = E<'WhatsAppCampaignCancelled.v1', { readonly cancelledBy: string; readonly reason: string | null }>;

export type CampaignEvent = WhatsAppCampaignCreated | WhatsAppCampaignStarted | WhatsAppCampaignPaused | WhatsAppCampaignResumed | WhatsAppCampaignCancelled;
export const CAMPAIGN_EVENT_TYPES: readonly CampaignEvent['type'][] = [
  'WhatsAppCampaignCreated.v1',
  'WhatsAppCampaignStarted.v1',
  'WhatsAppCampaignPaused.v1',
  'WhatsAppCampaignResumed.v1',
  'WhatsAppCampaignCancelled.v1',
];

export type CampaignStatus = 'none' | 'draft' | 'running' | 'paused' | 'cancelled';

export interface CampaignState {
  readonly status: CampaignStatus;
  /** Whose campaign it is: another tenant's command finds none. */
  readonly tenantId: string;
  readonly bindingId: string;
  readonly templateId: string;
}

/** Up to this many recipients in one campaign (a list or a saved filter). */
export const MAX_CAMPAIGN_RECIPIENTS = 100_000;

interface Base {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly actor: string;
}
export type CampaignCommand =
  | (Base & {
      readonly kind: 'CreateCampaign';
      readonly name: string;
      readonly bindingId: string;
      readonly templateId: string;
      readonly recipients: number;
      readonly selection: 'list' | 'filter';
    })
  | (Base & { readonly kind: 'StartCampaign'; readonly purposeKey: string; readonly queued: number; readonly blocked: Readonly<Record<string, number>> })
  | (Base & { readonly kind: 'PauseCampaign'; readonly reason: string | null })
  | (Base & { readonly kind: 'ResumeCampaign' })
  | (Base & { readonly kind: 'CancelCampaign'; readonly reason: string | null });

export const campaignStreamId = (campaignId: string): string => `whatsapp-campaign-${campaignId}`;

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  initialState: { status: 'none', tenantId: '', bindingId: '', templateId: '' },

  decide(command, state) {
    const ids = { tenantId: command.tenantId, campaignId: command.campaignId };
    if (command.kind !== 'CreateCampaign' && (state.status === 'none' || state.tenantId !== command.tenantId))
      refuse('CAMPAIGN.NOT_FOUND', 'no such campaign', 'not_found');
    switch (command.kind) {
      case 'CreateCampaign':
        if (state.status !== 'none') refuse('CAMPAIGN.EXISTS', 'a campaign with this id exists');
        if (command.name.trim() === '') refuse('CAMPAIGN.NAME_REQUIRED', 'give the campaign a name', 'invalid');
        if (command.recipients < 1) refuse('CAMPAIGN.NO_RECIPIENTS', 'the campaign has no recipients', 'invalid');
        if (command.recipients > MAX_CAMPAIGN_RECIPIENTS) {
          refuse('CAMPAIGN.TOO_MANY_RECIPIENTS', `a campaign has at most ${MAX_CAMPAIGN_RECIPIENTS.toLocaleString('en')} recipients`, 'invalid');
        }
        return [
          {
            type: 'WhatsAppCampaignCreated.v1',
            data: {
              ...ids,
              name: command.name.trim(),
              bindingId: command.bindingId,
              templateId: command.templateId,
              recipients: command.recipients,
              selection: command.selection,
              createdBy: command.actor,
            },
          },
        ];
      case 'StartCampaign':
        if (state.status !== 'draft') refuse('CAMPAIGN.NOT_DRAFT', `the campaign is ${state.status}: only a draft can be started`);
        return [
          {
            type: 'WhatsAppCampaignStarted.v1',
            data: { ...ids, purposeKey: command.purposeKey, queued: command.queued, blocked: { ...command.blocked }, startedBy: command.actor },
          },
        ];
      case 'PauseCampaign':
        if (state.status === 'paused') return [];
        if (state.status !== 'running') refuse('CAMPAIGN.NOT_RUNNING', `the campaign is ${state.status}: only a running campaign can be paused`);
        return [{ type: 'WhatsAppCampaignPaused.v1', data: { ...ids, pausedBy: command.actor, reason: command.reason } }];
      case 'ResumeCampaign':
        if (state.status === 'running') return [];
        if (state.status !== 'paused') refuse('CAMPAIGN.NOT_PAUSED', `the campaign is ${state.status}: only a paused campaign can be resumed`);
        return [{ type: 'WhatsAppCampaignResumed.v1', data: { ...ids, resumedBy: command.actor } }];
      case 'CancelCampaign':
        if (state.status === 'cancelled') return [];
        return [{ type: 'WhatsAppCampaignCancelled.v1', data: { ...ids, cancelledBy: command.actor, reason: command.reason } }];
      default: {
        const never: never = command;
        return never;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'WhatsAppCampaignCreated.v1':
        return { status: 'draft', tenantId: event.data.tenantId, bindingId: event.data.bindingId, templateId: event.data.templateId };
      case 'WhatsAppCampaignStarted.v1':
      case 'WhatsAppCampaignResumed.v1':
        return { ...state, status: 'running' };
      case 'WhatsAppCampaignPaused.v1':
        return { ...state, status: 'paused' };
      case 'WhatsAppCampaignCancelled.v1':
        return { ...state, status: 'cancelled' };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
