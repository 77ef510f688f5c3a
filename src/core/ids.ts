import { randomBytes } from 'node:crypto';

/** 96-bit time-ordered id: 32-bit seconds since the epoch, then 64 random bits; 24 lowercase hex chars. */
export function newId(now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

export const ID_PATTERN = /^[a-f0-9]{24}$/;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}
