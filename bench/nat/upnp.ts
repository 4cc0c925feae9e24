// A real UPnP IGD + NAT-PMP/PCP server on a home router: Debian's `miniupnpd-nftables`, one
// per router namespace, in the foreground (-d) so the lab owns its process. It adds its port
// mappings to the chains of the router's own table (nat-rules.ts, UPNP_CHAINS).
//
// miniupnpd 2.3.1 (Debian 12) treats 198.18.0.0/15 as a reserved range: with such a WAN
// address and no more, it answers but refuses every mapping (NAT-PMP result 3, external
// address 0.0.0.0); `ext_ip` is refused too, and `ext_allow_private_ipv4` only exists in later
// versions. So each router learns its public address by STUN (`ext_perform_stun`) from the
// lab's own STUN host (stun-server.ts), as routers behind an unknown uplink do: the answer
// shows it is not behind another NAT, and miniupnpd then maps. The check below prints what
// the server said.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TABLE, UPNP_CHAINS } from './nat-rules.js';
import type { LabProcesses } from './processes.js';
import { inNs } from './shell.js';
import type { LabHost } from './topology.js';

export const MINIUPNPD = '/usr/sbin/miniupnpd';

/** The lab's STUN host (a public host of its own, stun-server.ts). */
export interface StunHost {
  ip: string;
  port: number;
}

export function miniupnpdConfig(host: LabHost, dir: string, stun: StunHost): string {
  const lan = `192.168.${host.index}.0/24`;
  const uuid = `6e61746c-6162-4000-8000-${host.index.toString(16).padStart(12, '0')}`;
  return [
    'ext_ifname=wan',
    'listening_ip=lan',
    'http_port=0',
    'enable_natpmp=yes',
    'enable_upnp=yes',
    'secure_mode=yes',
    'system_uptime=no',
    `uuid=${uuid}`,
    'ext_perform_stun=yes',
    `ext_stun_host=${stun.ip}`,
    `ext_stun_port=${stun.port}`,
    `lease_file=${join(dir, `upnp-r${host.index}.leases`)}`,
    `upnp_table_name=${TABLE}`,
    `upnp_nat_table_name=${TABLE}`,
    `upnp_forward_chain=${UPNP_CHAINS.forward}`,
    `upnp_nat_chain=${UPNP_CHAINS.prerouting}`,
    `upnp_nat_postrouting_chain=${UPNP_CHAINS.postrouting}`,
    `allow 1024-65535 ${lan} 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n');
}

/** Starts miniupnpd in the host's router namespace; its log goes to upnp-r<i>.log. */
export async function startMiniupnpd(
  host: LabHost,
  dir: string,
  procs: LabProcesses,
  stun: StunHost,
): Promise<void> {
  if (!host.routerNs) throw new Error(`host ${host.index} has no router`);
  const conf = join(dir, `upnp-r${host.index}.conf`);
  await writeFile(conf, miniupnpdConfig(host, dir, stun));
  const pidFile = join(dir, `upnp-r${host.index}.pid`);
  const child = spawn('ip', ['netns', 'exec', host.routerNs, MINIUPNPD, '-d', '-f', conf, '-P', pidFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = createWriteStream(join(dir, `upnp-r${host.index}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  procs.adopt(`miniupnpd r${host.index}`, child);
}

export interface NatPmpAnswer {
  router: number;
  from: string;
  answered: boolean;
  resultCode: number | null;
  externalIp: string | null;
  error: string | null;
}

const RESULTS: Record<number, string> = {
  0: 'success',
  1: 'unsupported version',
  2: 'not authorized',
  3: 'network failure',
  4: 'out of resources',
  5: 'unsupported opcode',
};

/** Asks the router, from its LAN host, for its external address (RFC 6886 §3.2, opcode 0). */
export async function checkNatPmp(host: LabHost, probeScript: string): Promise<NatPmpAnswer> {
  const answer: NatPmpAnswer = {
    router: host.index,
    from: host.lanIp ?? '',
    answered: false,
    resultCode: null,
    externalIp: null,
    error: null,
  };
  for (let attempt = 0; attempt < 3 && !answer.answered; attempt++) {
    try {
      const out = await inNs(host.hostNs, process.execPath, [
        '--import',
        'tsx',
        probeScript,
        host.gatewayIp!,
      ]);
      const parsed = JSON.parse(out) as { resultCode: number; externalIp: string };
      Object.assign(answer, { answered: true, ...parsed, error: null });
    } catch (err) {
      answer.error = (err as Error).message.split('\n').pop() ?? 'no answer';
    }
  }
  return answer;
}

export function describeNatPmp(a: NatPmpAnswer): string {
  if (!a.answered) return `NAT-PMP on router r${a.router} (asked from ${a.from}): NO ANSWER (${a.error})`;
  const what = RESULTS[a.resultCode ?? -1] ?? `code ${a.resultCode}`;
  return `NAT-PMP on router r${a.router} (asked from ${a.from}): answered, result ${a.resultCode} (${what}), external address ${a.externalIp}`;
}
