/** P1: the kinds of processing action the processing record knows (shared vocabulary of every context). */
export const PROCESSING_KINDS = [
  'collect',
  'store',
  'use',
  'read',
  'export',
  'transmit',
  'provide',
  'transfer',
  'correct',
  'restrict',
  'delete',
  'decision',
] as const;
export type ProcessingKind = (typeof PROCESSING_KINDS)[number];
