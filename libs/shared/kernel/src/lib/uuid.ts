/**
 * UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits.
 * Ids created later in the same process sort after earlier ones: within one
 * millisecond the 12-bit `rand_a` field is used as a counter (RFC 9562 §6.2,
 * method 1), seeded randomly each millisecond.
 */
let lastMillis = -1;
let counter = 0;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Random bytes are drawn 4 KiB at a time: one call to the generator per 256 ids, not one per id.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes16(): Uint8Array {
  if (poolOffset + 16 > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes16();
  let millis = now;
  if (millis > lastMillis) {
    lastMillis = millis;
    counter = (bytes[6] ?? 0) & 0x07; // small random start leaves room to count
  } else {
    millis = lastMillis;
    counter += 1;
    if (counter > 0xfff) {
      // Counter exhausted inside one millisecond: borrow the next one.
      lastMillis += 1;
      millis = lastMillis;
      counter = 0;
    }
  }
  bytes[0] = Math.floor(millis / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(millis / 2 ** 32) & 0xff;
  bytes[2] = Math.floor(millis / 2 ** 24) & 0xff;
  bytes[3] = Math.floor(millis / 2 ** 16) & 0xff;
  bytes[4] = Math.floor(millis / 2 ** 8) & 0xff;
  bytes[5] = millis & 0xff;
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  let hex = '';
  for (const b of bytes) hex += HEX[b] ?? '';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function isUuidV7(value: string): boolean {
  return UUID_V7_PATTERN.test(value);
}

/** Milliseconds since the Unix epoch encoded in a UUIDv7. */
export function uuidv7Timestamp(id: string): number {
  if (!isUuidV7(id)) throw new TypeError('not a UUIDv7');
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
