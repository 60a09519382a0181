import { EventStoreSchema1763769600000 } from './1763769600000-event-store-schema.migration';
import { HorizonOfThisDatabase1765500000100 } from './1765500000100-horizon-of-this-database.migration';

/** Migrations of the `event_store` schema, in order. Run by `attest migrate`. */
export const eventStoreMigrations = [EventStoreSchema1763769600000, HorizonOfThisDatabase1765500000100];
