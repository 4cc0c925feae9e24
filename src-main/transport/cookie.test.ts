import { describe, expect, it } from 'vitest';
import { COOKIE_LENGTH, CookieMint } from './cookie.js';

const cid = Buffer.from('0102030405060708', 'hex');

describe('CookieMint (stateless retry cookies)', () => {
  it('accepts its own cookie for the same address and cid within 60 s', () => {
    const m = new CookieMint();
    const c = m.issue('127.0.0.1', 4000, cid, 1000);
    expect(c).toHaveLength(COOKIE_LENGTH);
    expect(m.verify(c, '127.0.0.1', 4000, cid, 1000)).toBe('valid');
    expect(m.verify(c, '127.0.0.1', 4000, cid, 1060)).toBe('valid');
  });

  it('expires after 60 s', () => {
    const m = new CookieMint();
    const c = m.issue('127.0.0.1', 4000, cid, 1000);
    expect(m.verify(c, '127.0.0.1', 4000, cid, 1061)).not.toBe('valid');
  });

  it('is bound to ip, port and client cid', () => {
    const m = new CookieMint();
    const c = m.issue('127.0.0.1', 4000, cid, 1000);
    expect(m.verify(c, '127.0.0.2', 4000, cid, 1000)).toBe('invalid');
    expect(m.verify(c, '127.0.0.1', 4001, cid, 1000)).toBe('invalid');
    expect(m.verify(c, '127.0.0.1', 4000, Buffer.alloc(8), 1000)).toBe('invalid');
  });

  it('rejects forged, truncated and tampered cookies', () => {
    const m = new CookieMint();
    const c = m.issue('127.0.0.1', 4000, cid, 1000);
    const tampered = Buffer.from(c);
    tampered[3]! ^= 1; // a later issuedAt would extend validity
    expect(m.verify(tampered, '127.0.0.1', 4000, cid, 1000)).toBe('invalid');
    expect(m.verify(c.subarray(0, 19), '127.0.0.1', 4000, cid, 1000)).toBe('invalid');
    expect(m.verify(new CookieMint().issue('127.0.0.1', 4000, cid, 1000), '127.0.0.1', 4000, cid, 1000)).toBe(
      'invalid',
    );
  });

  it('survives one secret rotation, not two', () => {
    const m = new CookieMint();
    const c = m.issue('127.0.0.1', 4000, cid, 1000);
    m.rotate(1001);
    expect(m.verify(c, '127.0.0.1', 4000, cid, 1002)).toBe('valid');
    m.rotate(1003);
    expect(m.verify(c, '127.0.0.1', 4000, cid, 1004)).toBe('invalid');
  });
});
