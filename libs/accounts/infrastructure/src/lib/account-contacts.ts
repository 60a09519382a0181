import { accountStreamId, type AccountEvent } from '@attest/accounts-domain';
import type { AccountContacts } from '@attest/accounts-application';
import type { EventStore } from '@attest/event-store';

/** The registered contact of an account, read from its first event (decrypted in memory). */
export class StreamAccountContacts implements AccountContacts {
  constructor(private readonly store: EventStore) {}

  async contactOf(accountId: string): Promise<{ phone: string | null; email: string | null } | null> {
    const [first] = await this.store.readStream(accountStreamId(accountId), { maxCount: 1 });
    if (!first) return null;
    const e = { type: first.type, data: first.data } as unknown as AccountEvent;
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
