// Connection ids (PROTOCOL §3.1, §13.3): 8 random bytes chosen by the receiver. Sessions
// are found by a 48-bit number read from the id (no string per packet) and then checked
// against all 8 bytes, so a guessed or colliding key never reaches the wrong session.

import { randomBytes } from 'node:crypto';
import { CONNECTION_ID_LENGTH } from '../protocol/index.js';

/** The key of the id at `bytes[at, at + 8)` (a datagram's dcid is read in place). */
export function cidKey(bytes: Uint8Array, at = 0): number {
  // Bytes 2..7 as an exact integer (< 2^48).
  return (
    bytes[at + 2]! * 0x100_0000_0000 +
    bytes[at + 3]! * 0x1_0000_0000 +
    ((bytes[at + 4]! << 24) >>> 0) +
    (bytes[at + 5]! << 16) +
    (bytes[at + 6]! << 8) +
    bytes[at + 7]!
  );
}

export function sameCid(a: Uint8Array, b: Uint8Array): boolean {
  if (b.length !== CONNECTION_ID_LENGTH) return false;
  return cidAt(a, b, 0);
}

/** `cid` equals `bytes[at, at + 8)`. */
export function cidAt(cid: Uint8Array, bytes: Uint8Array, at: number): boolean {
  if (cid.length !== CONNECTION_ID_LENGTH || bytes.length < at + CONNECTION_ID_LENGTH) return false;
  for (let i = 0; i < CONNECTION_ID_LENGTH; i++) if (cid[i] !== bytes[at + i]) return false;
  return true;
}

/** A fresh id whose key is not in use (and is never all-zero, the HELLO dcid). */
export function newCid(inUse: (key: number) => boolean): Buffer {
  for (;;) {
    const cid = randomBytes(CONNECTION_ID_LENGTH);
    const key = cidKey(cid);
    if (key !== 0 && !inUse(key)) return cid;
  }
}

export function cidHex(cid: Uint8Array): string {
  return Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('hex');
}
