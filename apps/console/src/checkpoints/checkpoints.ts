// The checkpoints page's state and the pure parts of its view: which two signed checkpoints are
// compared (`from` and `to` tree sizes, in the URL), which rows the table shows, and the
// equivalent terminal commands.
import type { components } from '../api/schema';

export type CheckpointView = components['schemas']['CheckpointView'];
export type ServerVerification = components['schemas']['VerificationReport'];
export type VerificationRun = components['schemas']['VerificationRun'];

export interface CheckpointsSearch {
  /** The tree size of the older checkpoint. */
  readonly from?: number;
  /** The tree size of the newer checkpoint. */
  readonly to?: number;
}

/** A tree size as the API takes it: a whole number from 1 up to 2^53 − 1 (written in decimal in the URL). */
export function parseSize(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

export function parseCheckpointsSearch(input: Record<string, unknown>): CheckpointsSearch {
  const from = parseSize(input['from']);
  const to = parseSize(input['to']);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The API lists checkpoints oldest first; the page shows them newest first (a new array). */
export function newestFirst(checkpoints: readonly CheckpointView[]): CheckpointView[] {
  return [...checkpoints].reverse();
}

/** The newest checkpoint of each size (a size can be signed more than once, e.g. after a key rotation). */
export function latestOfSize(checkpoints: readonly CheckpointView[], size: number): CheckpointView | undefined {
  return checkpoints.findLast((c) => c.size === size);
}

/** What the two choices amount to: absent = the two newest checkpoints (the usual question: "did the log only grow since?"). */
export type Pair =
  | { readonly kind: 'ready'; readonly older: CheckpointView; readonly newer: CheckpointView }
  /** Fewer than two distinct sizes to compare, or one of the two is not chosen. */
  | { readonly kind: 'incomplete' }
  /** A size in the URL that no signed checkpoint has. */
  | { readonly kind: 'unknown'; readonly size: number }
  /** The older one is not smaller than the newer one. */
  | { readonly kind: 'order'; readonly from: number; readonly to: number };

/** The sizes actually compared: the URL's, or by default the two newest distinct sizes. */
export function chosenSizes(checkpoints: readonly CheckpointView[], search: CheckpointsSearch): { readonly from?: number; readonly to?: number } {
  const sizes = [...new Set(checkpoints.map((c) => c.size))].sort((a, b) => b - a);
  const to = search.to ?? sizes[0];
  const from = search.from ?? (search.to === undefined ? sizes[1] : sizes.find((s) => to !== undefined && s < to));
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

export function selectPair(checkpoints: readonly CheckpointView[], search: CheckpointsSearch): Pair {
  const { from, to } = chosenSizes(checkpoints, search);
  if (from === undefined || to === undefined) return { kind: 'incomplete' };
  const older = latestOfSize(checkpoints, from);
  if (!older) return { kind: 'unknown', size: from };
  const newer = latestOfSize(checkpoints, to);
  if (!newer) return { kind: 'unknown', size: to };
  if (from >= to) return { kind: 'order', from, to };
  return { kind: 'ready', older, newer };
}

/**
 * The checkpoints the page knows, oldest first (the order `chosenSizes`, `selectPair` and
 * `newestFirst` expect): the loaded pages of the history (newest first) and, for a size chosen
 * in the address beyond them, the checkpoints of that size; each once.
 */
export function knownCheckpoints(loadedNewestFirst: readonly CheckpointView[], chosen: readonly (readonly CheckpointView[])[]): CheckpointView[] {
  const key = (c: CheckpointView): string => `${String(c.size)}|${c.createdAt}|${c.root}`;
  const known = new Map<string, CheckpointView>();
  for (const c of [...loadedNewestFirst, ...chosen.flat()]) if (!known.has(key(c))) known.set(key(c), c);
  return [...known.values()].sort((a, b) => a.size - b.size || a.createdAt.localeCompare(b.createdAt));
}

/** A word for a POSIX shell: as it is when it is plainly safe, otherwise in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=+@%-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `attest verify` against the database with the older checkpoint kept in a file: the terminal's "did the log only grow". */
export function consistencyCommand(tenantId: string | undefined, verifierKey: string | undefined, checkpointFile = '<file>'): string {
  const key = verifierKey === undefined ? `'<verifier key>'` : `'${verifierKey.replaceAll("'", `'\\''`)}'`;
  return `npx attest verify --tenant ${tenantId === undefined ? '<tenant>' : shellWord(tenantId)} --key ${key} --checkpoint ${checkpointFile}`;
}

/** The server's verification, for the page: failed (an alarm), nothing signed yet, or passed. */
export type ServerVerificationState = 'failed' | 'nothing-signed' | 'passed';

export function serverVerificationState(report: ServerVerification): ServerVerificationState {
  if (!report.ok) return 'failed';
  return report.latestCheckpoint === null && report.checkpointsChecked === 0 ? 'nothing-signed' : 'passed';
}
