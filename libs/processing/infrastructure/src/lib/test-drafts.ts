import { uuidv7 } from '@attest/kernel';
import type { RecordDraft } from '@attest/processing-domain';

/** The i-th record draft of a tenant, with a fresh source id (for specs: this library's and the deletion evidence's). */
export const testDraft = (tenantId: string, i: number): RecordDraft => ({
  tenantId,
  sourceId: uuidv7(),
  kind: i % 3 === 0 ? 'read' : 'collect',
  categories: ['contact'],
  purpose: 'newsletter',
  method: 'api',
  measures: ['per-subject-encryption'],
  legalBasis: 'consent',
  actor: 'user:officer',
  subject: `psn_subject${i % 4}`,
  at: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  eventId: null,
  commandId: null,
  correlationId: 'c',
  channel: null,
  outcome: null,
  reasons: [],
  consents: [],
});
