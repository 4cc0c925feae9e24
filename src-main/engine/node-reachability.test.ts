// A node's reachability: follows the port mapping setting live, advertises the mapping (the
// new public address too, once the router's WAN changed), and never maps a loopback-only node.

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeRouter, grant } from '../../test/fakes/fake-router.js';
import { PortMapping } from '../portmap/port-mapping.js';
import { mergeEngineConfig } from './engine-config.js';
import { NodeReachability } from './node-reachability.js';

function node(router: FakeRouter) {
  const made: PortMapping[] = [];
  const clock = new FakeClock();
  const r = new NodeReachability(41000, (port) => {
    const m = new PortMapping({
      internalPort: port,
      protocols: [() => router],
      clock,
      addressCheckMs: 10_000,
    });
    made.push(m);
    return m;
  });
  return { r, made, clock };
}

const config = (portMapping: boolean, bindHost: string | null = null) =>
  mergeEngineConfig({ dataDir: '/nonexistent', settings: { portMapping }, transport: { bindHost } });

describe('NodeReachability', () => {
  it('advertises the mapped address, and its own again once mapping is turned off', async () => {
    const router = new FakeRouter('upnp', [grant(41007)]);
    const { r, made } = node(router);
    let changes = 0;
    r.onChange(() => changes++);
    await r.apply(config(true));
    await r.firstAnswer(10_000);
    expect(r.state()).toEqual({ kind: 'mapped', via: 'upnp', external: '203.0.113.5:41007', detail: null });
    expect(r.advertisedEndpoint(null)).toEqual({ host: '203.0.113.5', port: 41007 });
    expect(r.advertisedEndpoint('stream.example.org')).toEqual({ host: 'stream.example.org', port: 41007 });
    await r.apply(config(false));
    expect(router.calls).toEqual(['map 41000', 'unmap 41000']);
    expect(r.state()).toMatchObject({
      kind: 'off',
      detail: 'turned off in Settings or with --no-port-mapping',
    });
    expect(r.advertisedEndpoint('198.51.100.9')).toEqual({ host: '198.51.100.9', port: 41000 });
    expect(changes).toBeGreaterThan(1);
    await r.apply(config(true));
    expect(made).toHaveLength(2);
    await r.destroy();
    expect(router.calls.at(-1)).toBe('unmap 41000');
  });

  it('advertises the new public address once the router says its WAN changed', async () => {
    const router = new FakeRouter('natpmp', [grant(41007)]);
    const { r, made, clock } = node(router);
    await r.apply(config(true));
    await r.firstAnswer(10_000);
    const seen: string[] = [];
    r.onChange(() => seen.push(`${r.advertisedEndpoint(null).host}:${r.advertisedEndpoint(null).port}`));
    router.publicIp = '198.51.100.7';
    clock.advance(10_000);
    await made[0]!.settled();
    expect(r.state()).toMatchObject({ kind: 'mapped', external: '198.51.100.7:41007' });
    expect(seen).toEqual(['198.51.100.7:41007']);
    await r.destroy();
  });

  it('does not ask the router when the node listens on loopback only', async () => {
    const router = new FakeRouter('upnp', [grant()]);
    const { r, made } = node(router);
    await r.apply(config(true, '127.0.0.1'));
    expect(made).toHaveLength(0);
    expect(r.state()).toMatchObject({ kind: 'off', detail: 'listening on loopback only' });
    await r.destroy();
  });

  it('maps the port of a dual-stack node (its IPv4 side), not of an IPv6-only one', async () => {
    const router = new FakeRouter('upnp', [grant()]);
    const { r, made } = node(router);
    await r.apply(config(true, '2001:db8::5'));
    expect(made).toHaveLength(0);
    expect(r.state()).toMatchObject({ kind: 'off', detail: expect.stringMatching(/IPv6 only/) });
    await r.apply(config(true, null));
    expect(made).toHaveLength(1);
    await r.destroy();
  });
});
