import type { ConsentAtView, ConsentReceipt, PurposeOverview } from '@attest/consent-application';

// What the consent routes answer, by name: docs/openapi.json's response schemas are
// generated from these types (`npm run openapi`).

export type ConsentReceiptDocument = ConsentReceipt;
export type ConsentState = ConsentAtView;
export type ConsentOverview = PurposeOverview;
