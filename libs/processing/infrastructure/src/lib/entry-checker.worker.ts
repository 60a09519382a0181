import { parentPort } from 'node:worker_threads';
import { checkEntry } from '@attest/processing-application';
import { HASH_SIZE } from '@attest/transparency';
import { MALFORMED, PRESENT, type CheckReply, type CheckRequest } from './entry-checkers';

/**
 * One thread of `EntryCheckers`: checks batches of entries (`checkEntry`:
 * decoded, canonical, of this tenant and index, leaf hash recomputed) and
 * answers their hashes in one transferred buffer. It keeps no state.
 */
const port = parentPort;
if (!port) throw new Error('entry-checker.worker runs as a worker thread only');
port.on('message', (request: CheckRequest) => {
  const n = request.indices.length;
  const hashes = new Uint8Array(n * HASH_SIZE);
  const stored = new Uint8Array(request.stored);
  const problems: [number, string][] = [];
  for (let i = 0; i < n; i++) {
    const leafHash = stored[i] === PRESENT ? Buffer.from(request.leafHashes, i * HASH_SIZE, HASH_SIZE) : stored[i] === MALFORMED ? Buffer.alloc(0) : null;
    const checked = checkEntry({ index: request.indices[i] ?? -1, body: request.bodies[i] ?? null, leafHash }, request.tenantId);
    hashes.set(checked.hash, i * HASH_SIZE);
    for (const p of checked.problems) problems.push([i, p]);
  }
  const reply: CheckReply = { id: request.id, hashes: hashes.buffer, problems };
  port.postMessage(reply, [hashes.buffer]);
});
