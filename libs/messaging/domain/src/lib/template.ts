import { DomainError, type Decider } from '@attest/kernel';
import type { Channel, LegalBasis } from '@attest/consent-domain';
import type { TemplateCategory } from './tenant-rules';

/**
 * A WhatsApp template of a bound business number (P7; ADR 0015, 5): what Meta says of it
 * (category, status, how many body parameters) and the purpose of the tenant's register it is
 * sent for. One stream per template, `whatsapp-template-<bindingId>-<Meta's template id>`.
 * Only an APPROVED template mapped to a purpose can be sent; a MARKETING template only for a
 * purpose whose legal basis is consent on channel `whatsapp` (K8). A mapping holds for the
 * category it was checked for: Meta re-categorising the template suspends it until mapped again.
 */

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly tenantId: string; readonly bindingId: string; readonly templateId: string } };

export type WhatsAppTemplateSynced = E<
  'WhatsAppTemplateSynced.v1',
  {
    readonly name: string;
    readonly language: string;
    readonly category: TemplateCategory;
    readonly status: string;
    readonly parameters: number;
    readonly syncedBy: string;
  }
>;
export type WhatsAppTemplateStatusChanged = E<
  'WhatsAppTemplateStatusChanged.v1',
  { readonly status: string; readonly previous: string; readonly reason: string | null; readonly source: 'webhook' | 'sync' }
>;
export type WhatsAppTemplateMapped = E<
  'WhatsAppTemplateMapped.v1',
  { readonly purposeId: string; readonly legalBasis: LegalBasis; readonly category: TemplateCategory; readonly mappedBy: string }
>;

export type TemplateEvent = WhatsAppTemplateSynced | WhatsAppTemplateStatusChanged | WhatsAppTemplateMapped;
export const TEMPLATE_EVENT_TYPES: readonly TemplateEvent['type'][] = [
  'WhatsAppTemplateSynced.v1',
  'WhatsAppTemplateStatusChanged.v1',
  'WhatsAppTemplateMapped.v1',
];

export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];

export interface TemplateState {
  readonly exists: boolean;
  readonly name: string;
  readonly language: string;
  readonly category: TemplateCategory;
  readonly status: string;
  readonly parameters: number;
  readonly mapping: { readonly purposeId: string; readonly legalBasis: LegalBasis; readonly category: TemplateCategory } | null;
}

/** What a purpose of the register is, as the consent context answers (the facts a mapping is checked against). */
export interface PurposeFacts {
  readonly purposeId: string;
  readonly active: boolean;
  readonly legalBasis: LegalBasis;
  readonly channels: readonly Channel[];
}

/** A template as the Cloud API lists it (or as a status webhook names it). */
export interface ListedTemplate {
  readonly templateId: string;
  readonly name: string;
  readonly language: string;
  readonly category: TemplateCategory;
  readonly status: string;
  readonly parameters: number;
}

interface Base {
  readonly tenantId: string;
  readonly bindingId: string;
  readonly templateId: string;
  readonly actor: string;
}
export type TemplateCommand =
  | (Base & { readonly kind: 'SyncTemplate'; readonly listed: ListedTemplate })
  | (Base & { readonly kind: 'ChangeTemplateStatus'; readonly status: string; readonly reason: string | null })
  | (Base & { readonly kind: 'MapTemplate'; readonly purpose: PurposeFacts });

export const templateStreamId = (bindingId: string, templateId: string): string => `whatsapp-template-${bindingId}-${templateId}`;

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

/** Why a template cannot be sent now, or null when it can. */
export type TemplateBlock = 'not-approved' | 'not-mapped' | 'mapping-outdated';

export function templateBlock(state: TemplateState): TemplateBlock | null {
  if (state.status !== 'APPROVED') return 'not-approved';
  if (state.mapping === null) return 'not-mapped';
  if (state.mapping.category !== state.category) return 'mapping-outdated';
  return null;
}

/** A status that stops the template's queued messages (ADR 0015, 7). */
export const stopsQueuedSends = (status: string): boolean => status !== 'APPROVED' && status !== 'PENDING' && status !== 'IN_APPEAL';

export const templateDecider: Decider<TemplateCommand, TemplateEvent, TemplateState> = {
  initialState: { exists: false, name: '', language: '', category: 'UTILITY', status: 'PENDING', parameters: 0, mapping: null },

  decide(command, state) {
    const ids = { tenantId: command.tenantId, bindingId: command.bindingId, templateId: command.templateId };
    switch (command.kind) {
      case 'SyncTemplate': {
        const listed = command.listed;
        const synced: WhatsAppTemplateSynced = {
          type: 'WhatsAppTemplateSynced.v1',
          data: {
            ...ids,
            name: listed.name,
            language: listed.language,
            category: listed.category,
            status: listed.status,
            parameters: listed.parameters,
            syncedBy: command.actor,
          },
        };
        if (!state.exists) return [synced];
        const events: TemplateEvent[] = [];
        if (listed.category !== state.category || listed.parameters !== state.parameters || listed.name !== state.name || listed.language !== state.language) {
          events.push(synced);
        } else if (listed.status !== state.status) {
          events.push({
            type: 'WhatsAppTemplateStatusChanged.v1',
            data: { ...ids, status: listed.status, previous: state.status, reason: null, source: 'sync' },
          });
        }
        return events;
      }
      case 'ChangeTemplateStatus':
        if (!state.exists) refuse('TEMPLATE.NOT_FOUND', 'no such template of this number: sync the templates first', 'not_found');
        if (command.status === state.status) return [];
        return [
          {
            type: 'WhatsAppTemplateStatusChanged.v1',
            data: { ...ids, status: command.status, previous: state.status, reason: command.reason, source: 'webhook' },
          },
        ];
      case 'MapTemplate': {
        if (!state.exists) refuse('TEMPLATE.NOT_FOUND', 'no such template of this number: sync the templates first', 'not_found');
        const purpose = command.purpose;
        if (!purpose.active) refuse('TEMPLATE.PURPOSE_INACTIVE', 'the purpose is not active in the register', 'invalid');
        if (!purpose.channels.includes('whatsapp')) refuse('TEMPLATE.PURPOSE_CHANNEL', 'the purpose does not name the channel whatsapp', 'invalid');
        if (state.category === 'MARKETING' && purpose.legalBasis !== 'consent') {
          refuse('TEMPLATE.MARKETING_NEEDS_CONSENT', 'a marketing template is sent only for a purpose whose legal basis is consent (K8)', 'invalid');
        }
        if (state.mapping?.purposeId === purpose.purposeId && state.mapping.category === state.category) return [];
        return [
          {
            type: 'WhatsAppTemplateMapped.v1',
            data: { ...ids, purposeId: purpose.purposeId, legalBasis: purpose.legalBasis, category: state.category, mappedBy: command.actor },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'WhatsAppTemplateSynced.v1':
        return {
          ...state,
          exists: true,
          name: event.data.name,
          language: event.data.language,
          category: event.data.category,
          status: event.data.status,
          parameters: event.data.parameters,
        };
      case 'WhatsAppTemplateStatusChanged.v1':
        return { ...state, status: event.data.status };
      case 'WhatsAppTemplateMapped.v1':
        return { ...state, mapping: { purposeId: event.data.purposeId, legalBasis: event.data.legalBasis, category: event.data.category } };
    }
  },
};
