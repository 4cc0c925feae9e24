// The mapping lifecycle with a fake router and a hand-driven clock: renewal before expiry,
// start over after expiry, bounded retries, removal on destroy, garbage and silence, and a
// router whose WAN address changes while mapped.

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeRouter, grant } from '../../test/fakes/fake-router.js';
import { PortMapping, type PortMappingState } from './port-mapping.js';

/** Runs every queued promise continuation (the fakes answer without I/O). */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(routers: FakeRouter[], extra: Partial<ConstructorParameters<typeof PortMapping>[0]> = {}) {
  const clock = new FakeClock();
  const states: PortMappingState[] = [];
  const mapping = new PortMapping({
    internalPort: 41000,
    protocols: routers.map((r) => () => r),
    clock,
    requestTimeoutMs: 4000,
    retryDelaysMs: [10_000, 20_000],
    ...extra,
  });
  mapping.onState((s) => states.push(s));
  /** Lets pending promise chains run, moves the clock, and lets what it started run. */
  const advance = async (ms: number): Promise<void> => {
    await flush();
    clock.advance(ms);
    await flush();
  };
  return { clock, states, mapping, advance };
}

describe('PortMapping', () => {
  it('maps at start and renews at half the granted lifetime, before expiry', async () => {
    const upnp = new FakeRouter('upnp', [grant()]);
    const { mapping, advance } = setup([upnp]);
    mapping.start();
    await mapping.settled();
    expect(mapping.state).toMatchObject({
      kind: 'mapped',
      via: 'upnp',
      externalHost: '203.0.113.5',
      externalPort: 41000,
    });
    expect(upnp.calls).toEqual(['map 41000']);
    await advance(1800_000 - 1);
    expect(upnp.calls).toHaveLength(1);
    await advance(1);
    expect(upnp.calls).toEqual(['map 41000', 'map 41000']);
    expect(mapping.state).toMatchObject({ kind: 'mapped', expiresAt: 1800_000 + 3600_000 });
    await mapping.destroy();
  });

  it('renews a lease longer than asked as if it were what it asked: no renewal storm', async () => {
    // NAT-PMP's lifetime is a u32 of seconds: half of 2^32 - 1 s overflows a timer, which
    // then fires at once, again and again.
    const pmp = new FakeRouter('natpmp', [grant(41000, 0xffff_ffff * 1000)]);
    const { mapping, advance } = setup([pmp], { lifetimeMs: 3600_000 });
    mapping.start();
    await mapping.settled();
    expect(mapping.state).toMatchObject({ kind: 'mapped', expiresAt: 3600_000 });
    await advance(1000);
    expect(pmp.calls).toEqual(['map 41000']);
    await advance(1800_000);
    expect(pmp.calls).toEqual(['map 41000', 'map 41000']);
    await mapping.destroy();
  });

  it('falls back to the next protocol when the first fails, and says why none worked', async () => {
    const upnp = new FakeRouter('upnp', [new Error('no UPnP IGD answered')]);
    const pmp = new FakeRouter('natpmp', [grant(41001)]);
    const { mapping } = setup([upnp, pmp]);
    mapping.start();
    await mapping.settled();
    expect(mapping.state).toMatchObject({ kind: 'mapped', via: 'natpmp', externalPort: 41001 });
    expect(upnp.closed).toBe(1);

    const a = setup([new FakeRouter('upnp', [new Error('no UPnP IGD answered')])], {
      protocols: [
        () => new FakeRouter('upnp', [new Error('no UPnP IGD answered')]),
        () => 'NAT-PMP: no default gateway found',
      ],
    });
    a.mapping.start();
    await a.mapping.settled();
    expect(a.mapping.state).toEqual({
      kind: 'unmapped',
      reason: 'UPnP: no UPnP IGD answered; NAT-PMP: no default gateway found',
    });
    await mapping.destroy();
    await a.mapping.destroy();
  });

  it('says the router did not answer when every protocol met silence', async () => {
    const { mapping, advance } = setup([
      new FakeRouter('upnp', ['silent']),
      new FakeRouter('natpmp', ['silent']),
    ]);
    mapping.start();
    await advance(4000);
    await advance(4000);
    expect(mapping.state).toEqual({ kind: 'unmapped', reason: 'the router did not answer UPnP or NAT-PMP' });
    await mapping.destroy();
  });

  it('gives up on a silent router after the timeout, retries a bounded number of times', async () => {
    const silent = new FakeRouter('natpmp', ['silent']);
    const { mapping, advance, clock } = setup([silent]);
    mapping.start();
    await advance(4000);
    expect(mapping.state).toEqual({ kind: 'unmapped', reason: 'the router did not answer NAT-PMP' });
    await advance(10_000);
    await advance(4000);
    await advance(20_000);
    await advance(4000);
    expect(silent.calls).toHaveLength(3);
    await advance(3600_000);
    expect(silent.calls).toHaveLength(3); // retries are bounded
    expect(clock.pending).toBe(0);
    await mapping.destroy();
  });

  it('treats a garbage grant as a failure', async () => {
    const bad = new FakeRouter('upnp', [{ externalHost: 'not an ip', externalPort: 70000, lifetimeMs: -1 }]);
    const { mapping } = setup([bad]);
    mapping.start();
    await mapping.settled();
    expect(mapping.state.kind).toBe('unmapped');
    expect((mapping.state as { reason: string }).reason).toMatch(/makes no sense/);
    await mapping.destroy();
  });

  it('keeps retrying a failed renewal while the lease lasts, then starts over after expiry', async () => {
    const router = new FakeRouter('upnp', [
      grant(41000, 400_000),
      new Error('HTTP 500'),
      new Error('HTTP 500'),
      new Error('HTTP 500'),
      new Error('HTTP 500'),
      grant(41002, 400_000),
    ]);
    const { mapping, advance, states } = setup([router], { minRenewMs: 30_000 });
    mapping.start();
    await mapping.settled();
    await advance(200_000); // renewal at half: fails, 200 s left -> retry in 50 s
    expect(mapping.state.kind).toBe('mapped');
    await advance(50_000); // fails, 150 s left -> 37.5 s
    await advance(37_500); // fails, 112.5 s left -> 30 s (the floor)
    await advance(30_000); // fails, 82.5 s left -> 30 s
    expect(router.calls).toHaveLength(5);
    await advance(30_000); // succeeds
    expect(mapping.state).toMatchObject({ kind: 'mapped', externalPort: 41002 });
    expect(states.filter((s) => s.kind === 'checking')).toHaveLength(0);

    const dying = new FakeRouter('upnp', [grant(41000, 100_000), new Error('gone')]);
    const d = setup([dying], { minRenewMs: 30_000 });
    d.mapping.start();
    await d.mapping.settled();
    await d.advance(50_000); // renewal fails with 50 s left -> retry in 30 s
    await d.advance(30_000); // fails with 20 s left: lease as good as gone -> start over at expiry
    expect(d.mapping.state).toEqual({ kind: 'checking' });
    expect(dying.closed).toBe(1);
    await d.advance(20_000);
    expect(d.mapping.state.kind).toBe('unmapped');
    await mapping.destroy();
    await d.mapping.destroy();
  });

  it('notices a new public address on the router, renews at once and says so', async () => {
    const router = new FakeRouter('natpmp', [grant()]);
    const { mapping, advance, states } = setup([router], { addressCheckMs: 10_000 });
    mapping.start();
    await mapping.settled();
    await advance(10_000);
    expect(router.addressQueries).toBe(1);
    expect(router.calls).toEqual(['map 41000']); // same address: nothing to do
    router.publicIp = '198.51.100.7'; // the ISP re-addressed the router's WAN
    await advance(10_000);
    await mapping.settled();
    expect(router.calls).toEqual(['map 41000', 'map 41000']);
    expect(mapping.state).toMatchObject({
      kind: 'mapped',
      externalHost: '198.51.100.7',
      externalPort: 41000,
    });
    expect(
      states.filter((s) => s.kind === 'mapped').map((s) => (s as { externalHost: string }).externalHost),
    ).toEqual(['203.0.113.5', '198.51.100.7']);
    await advance(10_000);
    expect(router.addressQueries).toBe(3); // still asking after the change
    expect(router.calls).toHaveLength(2);
    await mapping.destroy();
  });

  it('notices a new external port where asking the address renews the mapping (PCP)', async () => {
    // PCP has no address question: the check renews, and a router that lost its state may
    // grant another port at the same address.
    const router = Object.assign(new FakeRouter('pcp', [grant()]), { port: 41000 });
    const pcp = Object.assign(router, { grantedPort: () => router.port });
    const { mapping, advance } = setup([pcp], { addressCheckMs: 10_000 });
    mapping.start();
    await mapping.settled();
    await advance(10_000);
    expect(router.calls).toEqual(['map 41000']); // same address and port: nothing to do
    router.port = 52000;
    await advance(10_000);
    await mapping.settled();
    expect(router.calls).toEqual(['map 41000', 'map 41000']);
    await mapping.destroy();
  });

  it('asks again after a question the router did not answer, or a renewal it refused', async () => {
    const router = new FakeRouter('upnp', [grant(), new Error('busy'), grant()]);
    const { mapping, advance } = setup([router], { addressCheckMs: 10_000 });
    mapping.start();
    await mapping.settled();
    router.addressFailure = new Error('HTTP 500');
    await advance(10_000);
    expect(mapping.state).toMatchObject({ kind: 'mapped', externalHost: '203.0.113.5' });
    router.addressFailure = null;
    router.publicIp = '198.51.100.7';
    await advance(10_000); // new address, but the renewal is refused (router busy with its change)
    await mapping.settled();
    expect(router.calls).toEqual(['map 41000', 'map 41000']);
    expect(mapping.state).toMatchObject({ kind: 'mapped', externalHost: '203.0.113.5' });
    await advance(10_000); // the next question finds it still new and renews again
    await mapping.settled();
    expect(mapping.state).toMatchObject({ kind: 'mapped', externalHost: '198.51.100.7' });
    await mapping.destroy();
  });

  it('ignores an external address that is no address (0.0.0.0: the router lost its own)', async () => {
    const router = new FakeRouter('natpmp', [grant()]);
    const { mapping, advance } = setup([router], { addressCheckMs: 10_000 });
    mapping.start();
    await mapping.settled();
    router.publicIp = '0.0.0.0';
    await advance(10_000);
    await mapping.settled();
    expect(router.calls).toEqual(['map 41000']);
    expect(mapping.state).toMatchObject({ kind: 'mapped', externalHost: '203.0.113.5' });
    await mapping.destroy();
  });

  it('removes the mapping and closes the client on destroy, and stops all timers', async () => {
    const router = new FakeRouter('upnp', [grant()]);
    const { mapping, clock, states } = setup([router]);
    mapping.start();
    await mapping.settled();
    await mapping.destroy();
    expect(router.calls).toEqual(['map 41000', 'unmap 41000']);
    expect(router.closed).toBe(1);
    expect(states.at(-1)).toEqual({ kind: 'stopped' });
    expect(clock.pending).toBe(0);
    await mapping.destroy(); // twice is fine
  });

  it('destroy during a request that never ends does not hang, and removes what arrives late', async () => {
    const silent = new FakeRouter('natpmp', ['silent']);
    const { mapping, clock } = setup([silent]);
    mapping.start();
    await Promise.resolve();
    await mapping.destroy();
    expect(mapping.state).toEqual({ kind: 'stopped' });
    expect(silent.closed).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
