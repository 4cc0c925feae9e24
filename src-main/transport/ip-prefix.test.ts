import { describe, expect, it } from 'vitest';
import { ipPrefixKey } from './ip-prefix.js';

describe('ipPrefixKey', () => {
  it('is the address for IPv4, also IPv4-mapped', () => {
    expect(ipPrefixKey('192.0.2.7')).toBe('192.0.2.7');
    expect(ipPrefixKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('is the /64 for IPv6, however the address is written', () => {
    const key = ipPrefixKey('2001:db8:0:1::5');
    expect(key).toBe('2001:db8:0:1');
    expect(ipPrefixKey('2001:0DB8:0000:0001:abcd:1:2:3')).toBe(key);
    expect(ipPrefixKey('2001:db8:0:1:ffff::%eth0')).toBe(key);
    expect(ipPrefixKey('2001:db8::1')).toBe('2001:db8:0:0');
    expect(ipPrefixKey('::1')).toBe('0:0:0:0');
    expect(ipPrefixKey('fe80::1')).not.toBe(ipPrefixKey('fe81::1'));
  });
});
