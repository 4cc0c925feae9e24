import { describe, expect, it } from 'vitest';
import type { Reachability } from './contract.js';
import { describeReachability } from './reachability-text.js';

const r = (over: Partial<Reachability>): Reachability => ({
  kind: 'unmapped',
  via: null,
  external: null,
  detail: null,
  ...over,
});

describe('describeReachability', () => {
  it('says how we are reached, and which NAT we are behind once hole punching knows', () => {
    expect(describeReachability(r({ kind: 'mapped', via: 'upnp', external: '198.18.0.11:46016' }))).toBe(
      'reachable: yes, via UPnP (198.18.0.11:46016)',
    );
    expect(describeReachability(r({ detail: 'the router did not answer UPnP or NAT-PMP' }))).toBe(
      'reachable: behind NAT, no port mapping (the router did not answer UPnP or NAT-PMP)',
    );
    expect(describeReachability(r({ nat: 'symmetric' }))).toMatch(
      /^reachable: behind NAT \(a symmetric NAT: hole punching opens a path with cone-NAT and public peers only\), no port mapping$/,
    );
    expect(describeReachability(r({ kind: 'off', nat: 'cone' }))).toMatch(
      /^reachable: port mapping off; behind NAT \(a cone NAT: .*every peer\)$/,
    );
    expect(describeReachability(r({ nat: 'unknown' }))).toBe('reachable: behind NAT, no port mapping');
  });
});
