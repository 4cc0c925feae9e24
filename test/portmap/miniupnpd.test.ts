// A real router: miniupnpd (Debian's miniupnpd-nftables) in a network namespace, with a LAN
// host behind it running the product's PortMapping (map-probe.ts), once over UPnP IGD, once
// over NAT-PMP and once over PCP. Checks that the mapping is created in the kernel (nftables DNAT), that it
// forwards packets from the internet, that a renewal reaches the router, and that destroy
// removes it; then that a mapping follows the router to a new WAN address. Needs root, ip, nft and miniupnpd
// (CI runs as root and installs them, .ci/run); skipped with the reason otherwise.
//
// Every step waits on a condition (a line from the probe, a rule in nftables, an echo), never
// on a fixed delay; deadlines are only a safety net.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runId, WAN_PREFIX_LEN } from '../../bench/nat/addressing.js';
import { movedIp } from '../../bench/nat/dht-lab.js';
import { TABLE, UPNP_CHAINS } from '../../bench/nat/nat-rules.js';
import { LabProcesses } from '../../bench/nat/processes.js';
import { inNs, sh } from '../../bench/nat/shell.js';
import { Topology, type LabHost } from '../../bench/nat/topology.js';
import { checkNatPmp, MINIUPNPD, startMiniupnpd } from '../../bench/nat/upnp.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

const onPath = (tool: string): boolean =>
  (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/sbin'])
    .some((d) => existsSync(join(d, tool)));

function whyNot(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'needs root (network namespaces, nftables)';
  if (!existsSync(MINIUPNPD)) return `needs ${MINIUPNPD} (apt-get install miniupnpd-nftables)`;
  for (const tool of ['ip', 'nft'])
    if (!onPath(tool)) return `needs \`${tool}\` (apt-get install iproute2 nftables)`;
  return null;
}

/** Polls `ok` until true; the deadline is only a safety net. */
async function until(what: string, ok: () => boolean | Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const reason = whyNot();
if (reason) console.warn(`skipping the miniupnpd port mapping test: ${reason}`);

interface ProbeLine {
  event: string;
  port: number;
  state?: { kind: string; via?: string; externalHost?: string; externalPort?: number };
}

describe.skipIf(reason !== null)('port mapping through a real miniupnpd', () => {
  const topo = new Topology(runId(process.pid));
  const procs = new LabProcesses();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-miniupnpd-'));
  let router: LabHost;
  let internet: LabHost;

  const dnatRules = async (): Promise<string> =>
    inNs(router.routerNs!, 'nft', ['list', 'chain', 'inet', TABLE, UPNP_CHAINS.prerouting]);

  beforeAll(async () => {
    await topo.buildInternet();
    internet = await topo.addHost(9, { nat: 'public', upnp: false, upMultiple: null });
    router = await topo.addHost(1, { nat: 'cone', upnp: true, upMultiple: null });
    const stun = procs.start(
      'stun',
      internet.hostNs,
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/nat/stun-server.ts'), internet.publicIp],
      dir,
      'stun.log',
    );
    const stunLog = (): string =>
      existsSync(join(dir, 'stun.log')) ? readFileSync(join(dir, 'stun.log'), 'utf8') : '';
    await until('the STUN server', () => {
      if (stun.exited) throw new Error(`the STUN server exited: ${stunLog()}`);
      return stunLog().includes('listening');
    });
    await startMiniupnpd(router, dir, procs, { ip: internet.publicIp, port: 3478 });
    // Ready when it answers NAT-PMP with the address it learnt by STUN.
    await until(
      'miniupnpd to answer with the address it learnt by STUN',
      async () =>
        (await checkNatPmp(router, join(ROOT, 'bench/nat/natpmp-probe.ts'))).externalIp === router.publicIp,
    );
  }, 90_000);

  afterAll(async () => {
    await procs.stopAll();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** map-probe.ts in the LAN host, over one protocol; its JSON lines go to `lines`. */
  const startProbe = (via: string, lines: ProbeLine[]): ChildProcessWithoutNullStreams => {
    const probe = spawn(
      'ip',
      [
        'netns',
        'exec',
        router.hostNs,
        process.execPath,
        '--import',
        'tsx',
        join(ROOT, 'test/portmap/map-probe.ts'),
        via,
      ],
      { cwd: ROOT },
    );
    createInterface({ input: probe.stdout }).on('line', (l) => lines.push(JSON.parse(l) as ProbeLine));
    return probe;
  };

  const routerLog = (): Promise<string> => sh('cat', [join(dir, 'upnp-r1.log')]);

  describe.each([
    { via: 'upnp', request: '#AddAnyPortMapping' },
    { via: 'natpmp', request: 'NAT-PMP port mapping request' },
    { via: 'pcp', request: 'PCP MAP: ' },
  ])('over $via', ({ via, request }) => {
    let probe: ChildProcessWithoutNullStreams;
    const lines: ProbeLine[] = [];

    beforeAll(() => {
      probe = startProbe(via, lines);
      probe.stderr.on('data', (d: Buffer) => process.stderr.write(`map-probe: ${d}`));
    });

    afterAll(() => {
      if (probe.exitCode === null) probe.kill('SIGKILL');
    });

    const waitFor = async (event: string): Promise<ProbeLine> => {
      await expect
        .poll(() => lines.some((l) => l.event === event), { timeout: 30_000, interval: 50 })
        .toBe(true);
      return lines.find((l) => l.event === event)!;
    };

    it('creates a mapping in the kernel that forwards packets from the internet', async () => {
      const settled = await waitFor('settled');
      const mapped = lines.filter((l) => l.event === 'state').at(-1)!;
      expect(mapped.state).toMatchObject({ kind: 'mapped', via, externalHost: router.publicIp });
      const port = mapped.state!.externalPort!;
      expect(port).toBe(settled.port);
      expect(await dnatRules()).toContain(`dnat ip to ${router.lanIp}:${settled.port}`);
      // From the internet to the router's public address: the probe echoes back.
      const echo = await inNs(internet.hostNs, process.execPath, [
        '-e',
        `const s=require('dgram').createSocket('udp4');let n=0;` +
          `const t=setInterval(()=>{if(++n>50){console.log('silent');process.exit(1)}s.send('ping',${port},'${router.publicIp}')},200);` +
          `s.on('message',(m)=>{console.log(String(m));clearInterval(t);s.close()});s.send('ping',${port},'${router.publicIp}')`,
      ]);
      expect(echo.trim()).toBe('ping');
    });

    it('renews the mapping at the router', async () => {
      const before = (await routerLog()).split(request).length;
      probe.stdin.write('renew\n');
      const renewed = await waitFor('renewed');
      expect(renewed.state).toMatchObject({ kind: 'mapped', via });
      await expect
        .poll(async () => (await routerLog()).split(request).length, { timeout: 30_000 })
        .toBeGreaterThan(before);
      expect(await dnatRules()).toContain(`dnat ip to ${router.lanIp}:${renewed.port}`);
    });

    it('removes the mapping on destroy', async () => {
      probe.stdin.write('destroy\n');
      const done = await waitFor('destroyed');
      expect(await dnatRules()).not.toContain(`${router.lanIp}:${done.port}`);
    });
  });
  describe('when the router gets a new WAN address', () => {
    it('the mapping learns it from the router and forwards there (NAT-PMP)', async () => {
      const lines: ProbeLine[] = [];
      const probe = startProbe('natpmp', lines);
      const last = (event: string): ProbeLine | undefined => lines.filter((l) => l.event === event).at(-1);
      try {
        await until('the first mapping', () => last('settled') !== undefined);
        expect(last('settled')!.port).toBeGreaterThan(0);
        // The ISP hands the router a new lease; miniupnpd notices by itself (netlink) and STUNs again.
        const next = movedIp(router.publicIp);
        await inNs(router.routerNs!, 'ip', [
          'addr',
          'del',
          `${router.publicIp}/${WAN_PREFIX_LEN}`,
          'dev',
          'wan',
        ]);
        await inNs(router.routerNs!, 'ip', ['addr', 'add', `${next}/${WAN_PREFIX_LEN}`, 'dev', 'wan']);
        await until(
          'miniupnpd to answer its new address',
          async () =>
            (await checkNatPmp(router, join(ROOT, 'bench/nat/natpmp-probe.ts'))).externalIp === next,
        );
        probe.stdin.write('check\n');
        await until('the probe to have asked', () => last('checked') !== undefined);
        const state = last('checked')!.state!;
        expect(state).toMatchObject({ kind: 'mapped', via: 'natpmp', externalHost: next });
        const port = state.externalPort!;
        const echo = await inNs(internet.hostNs, process.execPath, [
          '-e',
          `const s=require('dgram').createSocket('udp4');let n=0;` +
            `const t=setInterval(()=>{if(++n>50){console.log('silent');process.exit(1)}s.send('ping',${port},'${next}')},200);` +
            `s.on('message',(m)=>{console.log(String(m));clearInterval(t);s.close()});s.send('ping',${port},'${next}')`,
        ]);
        expect(echo.trim()).toBe('ping');
        probe.stdin.write('destroy\n');
        await until('the probe to remove its mapping', () => last('destroyed') !== undefined);
      } finally {
        if (probe.exitCode === null) probe.kill('SIGKILL');
      }
    }, 120_000);
  });
});
