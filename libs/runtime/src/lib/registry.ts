import type { MigrationInterface } from 'typeorm';
import { accessEventClassifications, accessProcessingMap } from '@attest/access-application';
import { accessMigrations, accessProjection } from '@attest/access-infrastructure';
import { accountEventClassifications, accountProcessingMap } from '@attest/accounts-application';
import { consentEventClassifications, consentProcessingMap, consentUpcasters } from '@attest/consent-application';
import { consentMigrations, consentProjection } from '@attest/consent-infrastructure';
import { customerEventClassifications, customerProcessingMap } from '@attest/customers-application';
import { requestEventClassifications, requestProcessingMap } from '@attest/requests-application';
import { requestsMigrations, requestsProjection } from '@attest/requests-infrastructure';
import { processingMigrations, processingRecordProjection, type PostgresRecordLog } from '@attest/processing-infrastructure';
import type { ProcessingMap } from '@attest/security';
import { customersMigrations, customersProjection } from '@attest/customers-infrastructure';
import { accountNotificationsProjection, accountsMigrations, accountsProjection, StreamAccountContacts } from '@attest/accounts-infrastructure';
import { Upcasters, type EventStore } from '@attest/event-store';
import { notificationMigrations, type Outbox } from '@attest/notifications';
import { EventTypeRegistry } from '@attest/privacy';
import { keyVaultMigrations, type ReadModelPrivacy } from '@attest/privacy-postgres';
import { platformMigrations } from '@attest/database';
import { eventStoreMigrations } from '@attest/event-store-postgres';
import { eventLogStatsMigrations, eventLogStatsProjection } from '@attest/operations-event-log-stats';
import { projectionMigrations, type Projection } from '@attest/projections';
import { jobMigrations } from '@attest/jobs';
import { messagingEventClassifications, messagingProcessingMap } from '@attest/messaging-application';
import { messagingMigrations, messagingProjection } from '@attest/messaging-infrastructure';

type MigrationClass = new () => MigrationInterface;

/** Every migration, in the order the schemas depend on each other. */
export function migrationsFor(eventStore: 'postgres' | 'kurrentdb'): MigrationClass[] {
  const all = [
    ...(eventStore === 'postgres' ? eventStoreMigrations : []),
    ...platformMigrations,
    ...projectionMigrations,
    ...eventLogStatsMigrations,
    ...accessMigrations,
    ...keyVaultMigrations,
    ...notificationMigrations,
    ...accountsMigrations,
    ...customersMigrations,
    ...consentMigrations,
    ...processingMigrations,
    ...requestsMigrations,
    ...jobMigrations,
    ...messagingMigrations,
  ];
  // TypeORM runs them in this order; keep it the order of their timestamps.
  const stamp = (m: MigrationClass): number => Number(/(\d{13})$/.exec(m.name)?.[1] ?? 0);
  return all.sort((a, b) => stamp(a) - stamp(b));
}

export interface ProjectionDependencies {
  /** The upcasting store over the encrypting one: projections see current event shapes, personal fields decrypted in memory only. */
  readonly store: EventStore;
  readonly privacy: ReadModelPrivacy;
  readonly outbox: Outbox;
  readonly recordLog: PostgresRecordLog;
}

/** Every projection the workers run; names are what `attest projections rebuild` takes. */
export function createProjections(deps: ProjectionDependencies): Projection[] {
  return [
    eventLogStatsProjection,
    accessProjection,
    accountsProjection(deps.privacy),
    accountNotificationsProjection(deps.outbox, new StreamAccountContacts(deps.store)),
    customersProjection(deps.privacy),
    consentProjection,
    requestsProjection,
    processingRecordProjection(processingMap(), deps.recordLog, deps.privacy),
    messagingProjection,
  ];
}

/** P1: how every event type becomes a processing record, or that it processes no personal data. */
export function processingMap(): ProcessingMap {
  return {
    ...accessProcessingMap,
    ...accountProcessingMap,
    ...customerProcessingMap,
    ...consentProcessingMap,
    ...requestProcessingMap,
    ...messagingProcessingMap,
  };
}

/**
 * How every superseded event type reads as its successor. A superseded type
 * stays declared in the registry (its stored events are decrypted by its own
 * table) but is never written again and never reaches a reader.
 */
export function eventUpcasters(): Upcasters {
  return new Upcasters([...consentUpcasters]);
}

/**
 * Every event type that may be appended, with its personal-data declaration.
 * An event type missing here cannot be written (PRIVACY.UNDECLARED_EVENT_TYPE).
 */
export function eventTypeRegistry(): EventTypeRegistry {
  return new EventTypeRegistry([
    ...accessEventClassifications,
    ...accountEventClassifications,
    ...customerEventClassifications,
    ...consentEventClassifications,
    ...requestEventClassifications,
    ...messagingEventClassifications,
  ]);
}
