import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { recordEndpoints } from './record-endpoints.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo =>
  ({ address, family: 'IPv4', internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
const v6 = (address: string, scopeid = 0): NetworkInterfaceInfo =>
  ({
    address,
    family: 'IPv6',
    internal: false,
    scopeid,
    netmask: '',
    mac: '',
    cidr: null,
  }) as NetworkInterfaceInfo;

const interfaces = () => ({
  lo: [v4('127.0.0.1', true)],
  eth0: [v4('192.168.1.20'), v6('fe80::1', 2), v6('2001:db8::20')],
  eth1: [v4('198.51.100.7')],
});

describe('recordEndpoints (PROTOCOL §15.1)', () => {
  it('puts the advertised host first, then public before private, at the Shoal port, of the socket family', () => {
    expect(recordEndpoints({ port: 4000, families: [4], advertiseHost: '203.0.113.9', interfaces })).toEqual([
      { host: '203.0.113.9', port: 4000 },
      { host: '198.51.100.7', port: 4000 },
      { host: '192.168.1.20', port: 4000 },
    ]);
    expect(recordEndpoints({ port: 4000, families: [6], advertiseHost: null, interfaces })).toEqual([
      { host: '2001:db8::20', port: 4000 },
    ]);
  });

  it('a dual-stack socket: both families, public ones (IPv4 and global IPv6) before private ones', () => {
    const more = () => ({ ...interfaces(), eth2: [v6('fd00::5')] });
    expect(recordEndpoints({ port: 4000, families: [4, 6], advertiseHost: null, interfaces: more })).toEqual([
      { host: '2001:db8::20', port: 4000 },
      { host: '198.51.100.7', port: 4000 },
      { host: '192.168.1.20', port: 4000 },
      { host: 'fd00::5', port: 4000 },
    ]);
  });

  it('takes loopback only when advertised, a mapped address first, and never a host name', () => {
    const extra = () => [{ host: '203.0.113.1', port: 5000 }];
    expect(
      recordEndpoints({ port: 1, families: [4], advertiseHost: 'example.org', interfaces: () => ({}) }),
    ).toEqual([]);
    expect(
      recordEndpoints({
        port: 1,
        families: [4],
        advertiseHost: '127.0.0.1',
        extra,
        interfaces: () => ({ lo: [v4('127.0.0.1', true)] }),
      }),
    ).toEqual([
      { host: '203.0.113.1', port: 5000 },
      { host: '127.0.0.1', port: 1 },
    ]);
  });
});
