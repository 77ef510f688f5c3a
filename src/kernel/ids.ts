import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one call into the system's generator per 512 ids
// instead of one per id, which showed up on the append path's profile.
const RANDOM_POOL = Buffer.alloc(4096);
let poolOffset = RANDOM_POOL.length;

function randomHex8(): string {
  if (poolOffset === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  const hex = RANDOM_POOL.toString('hex', poolOffset, poolOffset + 8);
  poolOffset += 8;
  return hex;
}

/** 96-bit time-ordered id: 32-bit seconds since the epoch, then 64 random bits; 24 lowercase hex chars. */
export function newId(now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + randomHex8();
}

export const ID_PATTERN = /^[a-f0-9]{24}$/;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}
