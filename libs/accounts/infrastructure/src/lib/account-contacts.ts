import { ACCOUNT_EVENT_TYPES, accountStreamId, type AccountEvent } from '@attest/accounts-domain';
import type { AccountContacts } from '@attest/accounts-application';
import { eventOf, type EventStore } from '@attest/event-store';

/** The registered contact of an account, read from its first event (decrypted in memory). */
export class StreamAccountContacts implements AccountContacts {
  constructor(private readonly store: EventStore) {}

  async contactOf(accountId: string): Promise<{ phone: string | null; email: string | null } | null> {
    const [first] = await this.store.readStream(accountStreamId(accountId), { maxCount: 1 });
    if (!first) return null;
    const e = eventOf<AccountEvent>(first, ACCOUNT_EVENT_TYPES);
    if (!e) return null;
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    switch (e.type) {
      case 'EnterpriseRegistered.v1':
      case 'EndUserInvited.v1':
        return { phone: text(e.data.contact.phone), email: text(e.data.contact.email) };
      case 'PersonalUserRegistered.v1':
        return { phone: text(e.data.phone), email: null };
      default:
        return null;
    }
  }
}
