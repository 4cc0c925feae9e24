// The NAT lab's scenarios: who sits behind which kind of router, with which uplink, for how
// long. Host 0 is always the broadcaster; viewers count up from 1.

export type NatKind = 'public' | 'cone' | 'symmetric';

export interface HostSpec {
  /** `public`: on the internet bridge itself; otherwise behind its own home router of that kind. */
  nat: NatKind;
  /** The router runs miniupnpd (UPnP IGD + NAT-PMP/PCP); Shoal maps its port there (README "Port mapping"). */
  upnp: boolean;
  /** Uplink cap (tc tbf) as a multiple of the stream bitrate; null = uncapped. */
  upMultiple: number | null;
}

export interface Scenario {
  name: string;
  summary: string;
  bitrateKbps: number;
  segmentSec: number;
  /** Seconds from the last viewer's start to the end of the measurement. */
  durationSec: number;
  broadcaster: HostSpec & {
    /** The user forwarded the broadcaster's UDP port by hand on its router (DNAT). */
    portForward: boolean;
  };
  viewers: HostSpec[];
  /**
   * DHT bootstrap nodes to run as public hosts in the lab (issue 16 §4, bench/nat/dht-lab.ts).
   * With any, every node joins this DHT and viewers are given only the short address
   * shoal://<id>; with none, every node runs with --no-dht and the full address.
   */
  dhtBootstrapNodes: number;
  /**
   * Seconds into the measurement at which the broadcaster's public address changes (issue 16
   * §4: viewers find it again through the DHT): a public broadcaster's own IP, or the WAN
   * address of its home router (dht-lab.ts). Needs dhtBootstrapNodes.
   */
  readdressAtSec?: number;
  /**
   * Viewers started this many seconds into the measurement instead of at the start (given
   * only shoal://<id> when there is a DHT): after a re-address, they can only learn the new
   * address from the DHT.
   */
  late?: { atSec: number; viewers: HostSpec[] };
  /** Nodes map their port on UPnP/NAT-PMP routers (off: `--port-mapping off`, the 'before' figures). */
  portMapping?: boolean;
  /**
   * Dual stack: IPv6 beside IPv4 on every host (topology.ts), nodes on their default bind
   * (every address), and viewers given the broadcaster's IPv4 and IPv6 endpoints.
   */
  ipv6?: boolean;
  /** Dual stack: viewers are given only the broadcaster's IPv6 endpoint (so they meet over IPv6). */
  watchOverIpv6?: boolean;
}

const VIEWER_UP = 1.5;
const BROADCASTER_UP = 3;

const hosts = (count: number, nat: NatKind, upnp = false): HostSpec[] =>
  Array.from({ length: count }, () => ({ nat, upnp, upMultiple: VIEWER_UP }));

// With UPnP on its router the broadcaster maps its own port; without, the user forwarded it.
const homeBroadcaster = (upnp: boolean): Scenario['broadcaster'] => ({
  nat: 'cone',
  upnp,
  upMultiple: BROADCASTER_UP,
  portForward: !upnp,
});

const publicBroadcaster: Scenario['broadcaster'] = {
  nat: 'public',
  upnp: false,
  upMultiple: BROADCASTER_UP,
  portForward: false,
};

const base = { bitrateKbps: 1000, segmentSec: 2, durationSec: 60, dhtBootstrapNodes: 0 };

export const SCENARIOS: Record<string, Scenario> = {
  home: {
    ...base,
    name: 'home',
    summary:
      'broadcaster behind a UPnP router (it maps its port itself); 2 public, 6 cone (3 UPnP), 4 symmetric; viewers given only shoal://<id> (3 DHT nodes)',
    // Issue 16's targets: every part at once, the DHT included (--dht-nodes 0 leaves it out).
    dhtBootstrapNodes: 3,
    broadcaster: homeBroadcaster(true),
    viewers: [
      ...hosts(2, 'public'),
      ...hosts(3, 'cone', true),
      ...hosts(3, 'cone'),
      ...hosts(4, 'symmetric'),
    ],
  },
  cone: {
    ...base,
    name: 'cone',
    summary: 'as home, but every viewer behind a cone NAT and no UPnP anywhere',
    broadcaster: homeBroadcaster(false),
    viewers: hosts(12, 'cone'),
  },
  symmetric: {
    ...base,
    name: 'symmetric',
    summary: 'public broadcaster, 6 viewers behind symmetric NATs',
    broadcaster: publicBroadcaster,
    viewers: hosts(6, 'symmetric'),
  },
  public: {
    ...base,
    name: 'public',
    summary: 'public broadcaster, 6 public viewers',
    broadcaster: publicBroadcaster,
    viewers: hosts(6, 'public'),
  },
  dht: {
    ...base,
    name: 'dht',
    dhtBootstrapNodes: 3,
    readdressAtSec: 30,
    durationSec: 75,
    summary:
      'viewers given only shoal://<id> (3 DHT bootstrap nodes); 2 public, 2 cone, 2 symmetric; the public broadcaster changes IP at 30 s',
    broadcaster: publicBroadcaster,
    viewers: [...hosts(2, 'public'), ...hosts(2, 'cone'), ...hosts(2, 'symmetric')],
  },
  move: {
    ...base,
    name: 'move',
    dhtBootstrapNodes: 3,
    readdressAtSec: 30,
    late: { atSec: 40, viewers: hosts(1, 'cone') },
    durationSec: 90,
    summary:
      'broadcaster behind a UPnP router whose WAN address changes at 30 s; 1 public, 2 cone (1 UPnP), 1 symmetric viewer; a cone viewer started at 40 s; viewers given only shoal://<id> (3 DHT nodes); 90 s',
    broadcaster: homeBroadcaster(true),
    viewers: [
      ...hosts(1, 'public'),
      ...hosts(1, 'cone', true),
      ...hosts(1, 'cone'),
      ...hosts(1, 'symmetric'),
    ],
  },
  dual: {
    ...base,
    name: 'dual',
    ipv6: true,
    summary:
      'dual stack: IPv6 routed to every host (home routers let in only replies), IPv4 NATs as usual; public broadcaster; 2 public, 2 cone, 2 symmetric',
    broadcaster: publicBroadcaster,
    viewers: [...hosts(2, 'public'), ...hosts(2, 'cone'), ...hosts(2, 'symmetric')],
  },
  dual6: {
    ...base,
    name: 'dual6',
    ipv6: true,
    watchOverIpv6: true,
    summary: "as dual, but viewers are given only the broadcaster's IPv6 endpoint",
    broadcaster: publicBroadcaster,
    viewers: [...hosts(2, 'public'), ...hosts(2, 'cone'), ...hosts(2, 'symmetric')],
  },
  ci: {
    ...base,
    name: 'ci',
    durationSec: 30,
    summary: 'short check: public broadcaster; 1 public, 1 cone with UPnP, 1 symmetric viewer',
    broadcaster: publicBroadcaster,
    viewers: [...hosts(1, 'public'), ...hosts(1, 'cone', true), ...hosts(1, 'symmetric')],
  },
};

/** The scenario with its viewer count and duration overridden (the mix repeats in order). */
export function withOverrides(
  s: Scenario,
  viewers?: number,
  durationSec?: number,
  dhtBootstrapNodes?: number,
): Scenario {
  const list =
    viewers === undefined
      ? s.viewers
      : Array.from({ length: viewers }, (_, i) => s.viewers[i % s.viewers.length]!);
  return {
    ...s,
    viewers: list,
    durationSec: durationSec ?? s.durationSec,
    dhtBootstrapNodes: dhtBootstrapNodes ?? s.dhtBootstrapNodes,
  };
}

/**
 * The scenario as main ran it before port mapping: every node with `--no-port-mapping`, and a
 * broadcaster behind a router gets its port forwarded by hand as it needed then.
 */
export function withoutPortMapping(s: Scenario): Scenario {
  return {
    ...s,
    summary: `${s.summary} [port mapping off]`,
    portMapping: false,
    broadcaster: { ...s.broadcaster, portForward: s.broadcaster.nat !== 'public' },
  };
}
