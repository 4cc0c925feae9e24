// Builds the lab's networks out of namespaces and veth pairs, and takes them down.
//
//   [inet] bridge "inet0" ── the internet, 198.18.0.0/15, one flat segment
//     ├─ p<i> ⇄ wan [router r<i>] lan ⇄ eth0 [host h<i>]   home: 192.168.<i>.0/24, NAT on r<i>
//     └─ p<i> ⇄ eth0 [host h<i>]                             public host
//
// Dual-stack scenarios add IPv6 (unique-local addresses, addressing.ts hostIpv6): the bridge
// is one /64, each home's /64 is routed through its router (no NAT66; its firewall lets in
// only replies), and every host on the bridge has a route to every home /64.
//
// Every link is created directly inside the namespaces: nothing is added to the machine's own
// network namespace, and deleting the namespaces removes every link.

import {
  hostAddresses,
  hostIpv6,
  internetNs,
  IPV6_PREFIX_LEN,
  LAN_PREFIX_LEN,
  runOfNamespace,
  WAN_PREFIX_LEN,
  type HostAddresses,
  type HostIpv6,
} from './addressing.js';
import { accountingRuleset, routerRuleset, type PortForward } from './nat-rules.js';
import type { HostSpec } from './scenarios.js';
import { inNs, sh } from './shell.js';

export interface LabHost extends HostAddresses {
  spec: HostSpec;
  /** Its IPv6 addresses in a dual-stack scenario, else null. */
  ipv6: HostIpv6 | null;
}

const ip = (args: string[]): Promise<string> => sh('ip', args);

async function addNs(name: string, created: string[]): Promise<void> {
  await ip(['netns', 'add', name]);
  created.push(name);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

/** A veth pair from (nsA, nameA) to (nsB, nameB), both ends up. */
async function veth(nsA: string, nameA: string, nsB: string, nameB: string): Promise<void> {
  await ip(['link', 'add', nameA, 'netns', nsA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  await ip(['-n', nsA, 'link', 'set', nameA, 'up']);
  await ip(['-n', nsB, 'link', 'set', nameB, 'up']);
}

export class Topology {
  readonly inet: string;
  readonly hosts: LabHost[] = [];
  /** Every namespace made so far, so a failure halfway still tears down what exists. */
  private readonly created: string[] = [];

  constructor(
    readonly run: string,
    /** Dual stack: IPv6 beside IPv4 on every host (see the head of this file). */
    readonly withIpv6 = false,
  ) {
    this.inet = internetNs(run);
  }

  async buildInternet(): Promise<void> {
    await addNs(this.inet, this.created);
    await ip(['-n', this.inet, 'link', 'add', 'inet0', 'type', 'bridge']);
    await ip(['-n', this.inet, 'link', 'set', 'inet0', 'up']);
  }

  /** Adds host `index` (behind its own router unless public) and returns its addresses. */
  async addHost(index: number, spec: HostSpec, forwards: PortForward[] = []): Promise<LabHost> {
    const behindNat = spec.nat !== 'public';
    const v6 = this.withIpv6 ? hostIpv6(index, behindNat) : null;
    const host: LabHost = { ...hostAddresses(this.run, index, behindNat), spec, ipv6: v6 };
    const port = `p${index}`;
    await addNs(host.hostNs, this.created);
    // `nodad`: usable at once, no duplicate address detection to wait for.
    const addr6 = (ns: string, address: string, dev: string): Promise<string> =>
      ip(['-n', ns, '-6', 'addr', 'add', `${address}/${IPV6_PREFIX_LEN}`, 'dev', dev, 'nodad']);
    if (host.routerNs === null) {
      await veth(this.inet, port, host.hostNs, 'eth0');
      await ip(['-n', host.hostNs, 'addr', 'add', `${host.publicIp}/${WAN_PREFIX_LEN}`, 'dev', 'eth0']);
      if (v6) await addr6(host.hostNs, v6.host, 'eth0');
    } else {
      const r = host.routerNs;
      await addNs(r, this.created);
      await veth(this.inet, port, r, 'wan');
      await veth(r, 'lan', host.hostNs, 'eth0');
      await ip(['-n', r, 'addr', 'add', `${host.publicIp}/${WAN_PREFIX_LEN}`, 'dev', 'wan']);
      await ip(['-n', r, 'addr', 'add', `${host.gatewayIp}/${LAN_PREFIX_LEN}`, 'dev', 'lan']);
      await ip(['-n', host.hostNs, 'addr', 'add', `${host.lanIp}/${LAN_PREFIX_LEN}`, 'dev', 'eth0']);
      await ip(['-n', host.hostNs, 'route', 'add', 'default', 'via', host.gatewayIp!]);
      await inNs(r, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      if (v6) {
        await addr6(r, v6.routerWan!, 'wan');
        await addr6(r, v6.gateway!, 'lan');
        await addr6(host.hostNs, v6.host, 'eth0');
        await ip(['-n', host.hostNs, '-6', 'route', 'add', 'default', 'via', v6.gateway!]);
        await inNs(r, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
      }
      const kind = spec.nat === 'symmetric' ? 'symmetric' : 'cone';
      await inNs(r, 'nft', ['-f', '-'], routerRuleset({ kind, upnp: spec.upnp, forwards }));
    }
    await ip(['-n', this.inet, 'link', 'set', port, 'master', 'inet0']);
    this.hosts.push(host);
    return host;
  }

  /**
   * A public host that is not part of the swarm (e.g. a DHT bootstrap node): on the internet
   * bridge like a public viewer, but not in `hosts`, so nothing counts it as a viewer.
   */
  async addServiceHost(index: number): Promise<LabHost> {
    const host = await this.addHost(index, { nat: 'public', upnp: false, upMultiple: null });
    this.hosts.splice(this.hosts.indexOf(host), 1);
    return host;
  }

  /** Dual stack, once every host exists: each host on the bridge routes each home's /64 via its router. */
  async routeIpv6(): Promise<void> {
    if (!this.withIpv6) return;
    const homes = this.hosts.filter((h) => h.ipv6?.lanPrefix);
    for (const h of this.hosts) {
      const onBridge = h.routerNs ?? h.hostNs;
      for (const home of homes)
        if (home !== h)
          await ip([
            '-n',
            onBridge,
            '-6',
            'route',
            'add',
            home.ipv6!.lanPrefix!,
            'via',
            home.ipv6!.routerWan!,
          ]);
    }
  }

  /** Once every host exists: count on each host the bytes it receives from each other one. */
  async installAccounting(): Promise<void> {
    for (const h of this.hosts) {
      const others = this.hosts.filter((o) => o !== h);
      const v6 = others.flatMap((o): [string, string][] => (o.ipv6 ? [[o.ipv6.host, o.publicIp]] : []));
      await inNs(
        h.hostNs,
        'nft',
        ['-f', '-'],
        accountingRuleset(
          others.map((o) => o.publicIp),
          v6,
        ),
      );
    }
  }

  async destroy(): Promise<void> {
    for (const ns of this.created.reverse()) await deleteNamespace(ns);
    this.created.length = 0;
  }
}

/** Kills whatever still runs inside a namespace, then deletes it (and with it its links). */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = (await sh('ip', ['netns', 'pids', ns]).catch(() => ''))
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the namespaces of earlier lab runs whose process has gone (a crash, a kill -9). */
export async function removeLeftovers(log: (line: string) => void): Promise<void> {
  const listing = await sh('ip', ['netns', 'list']);
  const names = listing
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
  const stale = names.filter((n) => {
    const run = runOfNamespace(n);
    return run !== null && !alive(parseInt(run, 36));
  });
  if (stale.length === 0) return;
  log(`removing ${stale.length} namespaces left by an earlier run: ${stale.join(' ')}`);
  for (const ns of stale) await deleteNamespace(ns);
}

/** Root, `ip netns`, nftables and tbf available? Returns why not, or null. */
export async function cannotBuild(): Promise<string | null> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'the NAT lab needs root (network namespaces, nftables, tc): run it as root, e.g. with sudo';
  for (const tool of ['ip', 'nft', 'tc', 'ffmpeg']) {
    try {
      await sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `the NAT lab needs \`${tool}\` (apt-get install iproute2 nftables ffmpeg)`;
    }
  }
  return null;
}
