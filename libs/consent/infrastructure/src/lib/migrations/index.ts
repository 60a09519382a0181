import { ConsentTables1763775000000 } from './1763775000000-consent-tables.migration';
import { DecisionFacts1764700000000 } from './1764700000000-decision-facts.migration';

export const consentMigrations = [ConsentTables1763775000000, DecisionFacts1764700000000];
