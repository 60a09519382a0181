import type { ConsoleView } from '@attest/access-application';

// What the access routes answer, by name: docs/openapi.json's response schemas are
// generated from these types (`npm run openapi`).

export type SavedConsoleView = ConsoleView;
