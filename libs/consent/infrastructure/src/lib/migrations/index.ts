import { ConsentTables1763775000000 } from './1763775000000-consent-tables.migration';
import { DecisionFacts1764700000000 } from './1764700000000-decision-facts.migration';
import { ReceiptsByEvent1765400000100 } from './1765400000100-receipts-by-event.migration';
import { ReceiptsByConsent1765500000000 } from './1765500000000-receipts-by-consent.migration';
import { ReceiptsByCustomer1765900000000 } from './1765900000000-receipts-by-customer.migration';

export const consentMigrations = [
  ConsentTables1763775000000,
  DecisionFacts1764700000000,
  ReceiptsByEvent1765400000100,
  ReceiptsByConsent1765500000000,
  ReceiptsByCustomer1765900000000,
];
