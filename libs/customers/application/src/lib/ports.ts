import type { Profile, ProfileField } from '@attest/customers-domain';

/** Consent status per purpose and channel, as the customer list shows it. */
export type ConsentSummary = Readonly<Record<string, Readonly<Record<string, 'granted' | 'withdrawn'>>>>;

export interface CustomerView {
  readonly customerId: string;
  readonly tenantId: string;
  readonly tags: readonly string[];
  /** K4: under 14 at the last change of the profile. */
  readonly under14: boolean;
  readonly restricted: boolean;
  readonly consents: ConsentSummary;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface FollowUpView {
  readonly followUpId: string;
  readonly customerId: string;
  readonly channel: string;
  /** Decrypted only for a purposeful read; null otherwise or once erased. */
  readonly note: string | null;
  readonly dueOn: string | null;
  readonly recordedBy: string;
  readonly recordedAt: Date;
}

export interface CustomerFilter {
  readonly tag?: string;
  /** With `consentStatus`: customers whose consent for this purpose (any channel) has that status. */
  readonly purpose?: string;
  readonly consentStatus?: 'granted' | 'withdrawn' | 'none';
  readonly after?: string;
  readonly limit: number;
  /** A consistency token: the read may come from a replica that has applied it (`ReadRouting`), else from the primary. */
  readonly atLeastAsFresh?: string;
}

export interface CustomersReadModel {
  /** `atLeastAsFresh`: as in `CustomerFilter`. */
  get(tenantId: string, customerId: string, atLeastAsFresh?: string): Promise<CustomerView | null>;
  list(tenantId: string, filter: CustomerFilter): Promise<CustomerView[]>;
  /** Profiles decrypted in memory for one authorized read; erased subjects are absent. `fields`: only these are opened. */
  profiles(tenantId: string, customerIds: readonly string[], fields?: readonly ProfileField[]): Promise<ReadonlyMap<string, Profile>>;
  /** Which of these ids are customers of the tenant (erased ones are not). */
  existing(tenantId: string, customerIds: readonly string[]): Promise<Set<string>>;
  followUps(tenantId: string, customerId: string, withNotes: boolean): Promise<FollowUpView[]>;
}

export interface CustomersProjector {
  projectStream(streamId: string): Promise<unknown>;
}

export const CUSTOMERS_READ_MODEL = Symbol.for('attest.customers.ReadModel');
export const CUSTOMERS_PROJECTOR = Symbol.for('attest.customers.Projector');
