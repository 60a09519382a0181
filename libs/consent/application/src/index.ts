export * from './lib/ports';
export * from './lib/classifications';
export * from './lib/upcasters';
export * from './lib/receipts';
export * from './lib/consent.commands';
export * from './lib/decisions';
export * from './lib/consent.queries';
import { ChangeConsentHandler, RunPurposeCommandHandler } from './lib/consent.commands';
import {
  ConsentAtHandler,
  ConsentHistoryHandler,
  ConsentOverviewHandler,
  ListPurposesHandler,
  ReceiptHandler,
  ReceiptOfEventHandler,
} from './lib/consent.queries';
import { DecideHandler } from './lib/decisions';

export const consentHandlers = [
  RunPurposeCommandHandler,
  ChangeConsentHandler,
  DecideHandler,
  ListPurposesHandler,
  ConsentHistoryHandler,
  ConsentAtHandler,
  ReceiptHandler,
  ReceiptOfEventHandler,
  ConsentOverviewHandler,
];
export * from './lib/processing-map';
