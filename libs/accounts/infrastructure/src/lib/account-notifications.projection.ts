import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '@attest/accounts-domain';
import type { AccountContacts } from '@attest/accounts-application';
import type { Notification, Outbox } from '@attest/notifications';
import type { JsonObject } from '@attest/kernel';
import type { Projection } from '@attest/projections';
import { eventOf } from '@attest/event-store';

/** Events the account holder is told about, and the message kind for each. */
const NOTICES: Readonly<Partial<Record<AccountEvent['type'], string>>> = {
  'EndUserInvited.v1': 'invitation',
  'EnterpriseVerified.v1': 'verification-outcome',
  'EnterpriseRejected.v1': 'verification-outcome',
  'AccountRestricted.v1': 'account-notice',
  'AccountSuspended.v1': 'account-notice',
  'AccountRevoked.v1': 'account-notice',
  'AccountReactivated.v1': 'account-notice',
  'AccountReportedStolen.v1': 'account-notice',
  'AccountCancelled.v1': 'account-notice',
  'MemberUnbound.v1': 'account-notice',
  'AgreementEnded.v1': 'agreement-notice',
  'FunctionDataDeletionRequested.v1': 'function-deletion-notice',
};

/**
 * Closing notices outlive the account's key: they are sealed under a key of
 * their own, so the holder is told of the cancellation after their data is
 * erased; the payload is cleared once delivered.
 */
const CLOSING: ReadonlySet<string> = new Set(['AccountCancelled.v1', 'MemberUnbound.v1']);

/** Facts of the event a notice may repeat: no personal fields, no notes. */
function facts(event: AccountEvent): JsonObject {
  switch (event.type) {
    case 'EndUserInvited.v1':
      return { token: event.data.token, expiresAt: event.data.expiresAt };
    case 'EnterpriseRejected.v1':
      return { outcome: 'rejected', reasons: [...event.data.reasons] };
    case 'EnterpriseVerified.v1':
      return { outcome: 'verified' };
    case 'AccountRestricted.v1':
    case 'AccountSuspended.v1':
    case 'AccountRevoked.v1':
    case 'AccountReactivated.v1':
    case 'AccountCancelled.v1':
      return { reason: event.data.reason };
    case 'AgreementEnded.v1':
      return { endedOn: event.data.endedOn, personalDataDeletionDueOn: event.data.personalDataDeletionDueOn };
    case 'FunctionDataDeletionRequested.v1':
      return { function: event.data.function, dueOn: event.data.dueOn };
    default:
      return {};
  }
}

/** Contacts read at once by a batch: enough to overlap their round trips, few enough to leave the store's pool to others. */
const CONTACT_READS = 4;

/**
 * Turns account events into outbox rows, in the projection's checkpoint
 * transaction: a notice exists exactly when its event does (transactional
 * outbox), and replaying the log adds none twice (source key = event id).
 */
export function accountNotificationsProjection(outbox: Outbox, contacts: AccountContacts): Projection {
  return {
    name: 'account-notifications',
    version: 1,
    filter: { eventTypes: Object.keys(NOTICES) },
    async apply(events, manager) {
      // Each account's contact is read once per batch, a few at a time (their reads overlap), and the
      // batch's notices are written in one statement.
      const wanted = new Set<string>();
      for (const event of events) {
        const e = eventOf<AccountEvent>(event, ACCOUNT_EVENT_TYPES);
        if (e && NOTICES[e.type] && e.type !== 'EndUserInvited.v1') wanted.add(e.data.accountId);
      }
      const known = new Map<string, Awaited<ReturnType<AccountContacts['contactOf']>>>();
      const queue = [...wanted];
      await Promise.all(
        Array.from({ length: Math.min(CONTACT_READS, queue.length) }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) known.set(id, await contacts.contactOf(id));
        }),
      );
      const notices: { notification: Notification; at: Date }[] = [];
      for (const event of events) {
        const e = eventOf<AccountEvent>(event, ACCOUNT_EVENT_TYPES);
        if (!e) continue;
        const kind = NOTICES[e.type];
        if (!kind) continue;
        const found = e.type === 'EndUserInvited.v1' ? e.data.contact : known.get(e.data.accountId);
        const email = typeof found?.email === 'string' ? found.email : null;
        const phone = typeof found?.phone === 'string' ? found.phone : null;
        // Erased (or never given): there is no one left to tell.
        if (!email && !phone) continue;
        notices.push({
          notification: {
            sourceKey: `${event.id}:${kind}`,
            tenantId: e.data.tenantId,
            subjectId: CLOSING.has(e.type) ? `notice-${event.id}` : e.data.accountId,
            kind,
            payload: { to: { email, phone }, accountId: e.data.accountId, event: e.type, ...facts(e) },
          },
          at: new Date(event.metadata.occurredAt),
        });
      }
      await outbox.enqueueAll(manager, notices);
    },
    async reset() {
      // The outbox is a queue, not a view: a rebuild must not send everything again (source keys dedupe).
    },
  };
}
