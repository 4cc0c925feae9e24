// Stateless retry cookies (PROTOCOL §4.2, §13.2): the server proves a client can receive
// at its claimed address before keeping any state for it. Cookie = issuedAt u32 (unix s)
// || HMAC-SHA256(secret, issuedAt || ip || port || sourceCid)[0..16).

import { createHmac, randomBytes } from 'node:crypto';

export const COOKIE_LENGTH = 20;
export const COOKIE_VALIDITY_S = 60;
/** Secrets rotate this often; the previous one is still accepted, so validity holds. */
export const SECRET_ROTATION_S = 60;
const MAC_LENGTH = 16;
/** Tolerated clock step backwards between issuing and checking. */
const FUTURE_SKEW_S = 5;

export type CookieVerdict = 'valid' | 'expired' | 'invalid';

export class CookieMint {
  private current = randomBytes(32);
  private previous: Buffer | null = null;
  private rotatedAt: number | null = null;

  /** Rotates lazily: no timer to clean up. */
  private rotateIfDue(nowSec: number): void {
    if (this.rotatedAt === null) this.rotatedAt = nowSec;
    if (nowSec - this.rotatedAt >= SECRET_ROTATION_S) this.rotate(nowSec);
  }

  rotate(nowSec: number): void {
    this.previous = this.current;
    this.current = randomBytes(32);
    this.rotatedAt = nowSec;
  }

  issue(ip: string, port: number, cid: Uint8Array, nowSec: number): Buffer {
    this.rotateIfDue(nowSec);
    const cookie = Buffer.allocUnsafe(COOKIE_LENGTH);
    cookie.writeUInt32BE(nowSec >>> 0, 0);
    mac(this.current, cookie.subarray(0, 4), ip, port, cid).copy(cookie, 4, 0, MAC_LENGTH);
    return cookie;
  }

  verify(cookie: Uint8Array, ip: string, port: number, cid: Uint8Array, nowSec: number): CookieVerdict {
    this.rotateIfDue(nowSec);
    if (cookie.length !== COOKIE_LENGTH) return 'invalid';
    const view = Buffer.from(cookie.buffer, cookie.byteOffset, cookie.byteLength);
    const issuedAt = view.readUInt32BE(0);
    const given = view.subarray(4);
    const matches = (secret: Buffer | null): boolean =>
      secret !== null && timingSafeEqual16(mac(secret, view.subarray(0, 4), ip, port, cid), given);
    if (!matches(this.current) && !matches(this.previous)) return 'invalid';
    const age = nowSec - issuedAt;
    if (age > COOKIE_VALIDITY_S || age < -FUTURE_SKEW_S) return 'expired';
    return 'valid';
  }
}

function mac(secret: Buffer, issuedAt: Uint8Array, ip: string, port: number, cid: Uint8Array): Buffer {
  const portBytes = Buffer.allocUnsafe(2);
  portBytes.writeUInt16BE(port, 0);
  // ip as its canonical text (the form the socket reports): the cookie is opaque to clients.
  return createHmac('sha256', secret).update(issuedAt).update(ip).update(portBytes).update(cid).digest();
}

function timingSafeEqual16(a: Buffer, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < MAC_LENGTH; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
