// The NAT lab's pure parts (bench/nat): address plan, rulesets, parsing of what nft and the
// CLI print, and the report's figures. The lab itself needs root: `npm run lab:nat`.

import { describe, expect, it } from 'vitest';
import { hostAddresses, hostIpv6, runOfNamespace } from '../../bench/nat/addressing.js';
import { cliErrors, lastStatus } from '../../bench/nat/cli-status.js';
import { dhtFigures } from '../../bench/nat/dht-lab.js';
import {
  accountingRuleset,
  parseAccounting,
  routerRuleset,
  wanSourceFilter,
} from '../../bench/nat/nat-rules.js';
import {
  computeFigures,
  continuity,
  labProblems,
  recordFromJson,
  recordToJson,
  type RunRecord,
  type ViewerRecord,
} from '../../bench/nat/report.js';
import { SCENARIOS, withOverrides, withoutPortMapping } from '../../bench/nat/scenarios.js';
import { stunAnswer } from '../../bench/nat/stun-server.js';
import { miniupnpdConfig } from '../../bench/nat/upnp.js';

describe('NAT lab addressing', () => {
  it('puts public addresses in 198.18.0.0/15 and home LANs in 192.168.0.0/16', () => {
    const home = hostAddresses('ab', 3, true);
    expect(home).toMatchObject({
      publicIp: '198.18.0.13',
      lanIp: '192.168.3.2',
      gatewayIp: '192.168.3.1',
      hostNs: 'natlabab-h3',
      routerNs: 'natlabab-r3',
    });
    expect(hostAddresses('ab', 0, false)).toMatchObject({
      publicIp: '198.18.0.10',
      lanIp: null,
      routerNs: null,
    });
    expect(() => hostAddresses('ab', 240, false)).toThrow(/room for 240/);
  });

  it('recognises only its own namespaces', () => {
    expect(runOfNamespace('natlab1x2-h3')).toBe('1x2');
    expect(runOfNamespace('natlab1x2-inet')).toBe('1x2');
    expect(runOfNamespace('other-ns')).toBeNull();
  });
});

describe('NAT lab rulesets', () => {
  it('masquerades plainly for cone and fully randomly for symmetric', () => {
    const cone = routerRuleset({ kind: 'cone', upnp: false, forwards: [] });
    expect(cone).toContain('oifname "wan" masquerade\n');
    expect(cone).not.toContain('miniupnpd');
    const sym = routerRuleset({ kind: 'symmetric', upnp: true, forwards: [] });
    expect(sym).toContain('masquerade fully-random');
    expect(sym).toContain('jump prerouting_miniupnpd');
  });

  it('forwards a port by hand with DNAT and lets it through', () => {
    const r = routerRuleset({ kind: 'cone', upnp: false, forwards: [{ port: 40000, toIp: '192.168.0.2' }] });
    expect(r).toContain('iifname "wan" udp dport 40000 dnat ip to 192.168.0.2:40000');
    expect(r).toContain('iifname "wan" ip daddr 192.168.0.2 udp dport 40000 accept');
  });

  it("lets out of a re-addressed router's WAN only packets from its new address", () => {
    const f = wanSourceFilter('198.18.1.10');
    expect(f).toContain('type filter hook postrouting priority 110;'); // after masquerade (srcnat, 100)
    expect(f).toContain('oifname "wan" ip saddr != 198.18.1.10 drop');
  });

  it('reads back the per-source byte counters', () => {
    expect(accountingRuleset(['198.18.0.10'])).toContain('ip saddr 198.18.0.10 counter');
    const listing = [
      'table inet natlab_acct {',
      '\tchain input {',
      '\t\tip saddr 198.18.0.10 counter packets 10 bytes 12345',
      '\t\tip saddr 198.18.0.11 counter packets 0 bytes 0',
    ].join('\n');
    expect([...parseAccounting(listing).bySource]).toEqual([
      ['198.18.0.10', 12345],
      ['198.18.0.11', 0],
    ]);
  });

  it("counts a host's IPv6 bytes as that host's in dual-stack scenarios", () => {
    const rules = accountingRuleset(['198.18.0.12'], [['fd00:192:168:2::2', '198.18.0.12']]);
    expect(rules).toContain('ip6 saddr fd00:192:168:2::2 counter comment "198.18.0.12"');
    const listing = [
      '\t\tip saddr 198.18.0.12 counter packets 3 bytes 300',
      '\t\tip6 saddr fd00:192:168:2::2 counter packets 7 bytes 700 comment "198.18.0.12"',
    ].join('\n');
    const a = parseAccounting(listing);
    expect([...a.bySource]).toEqual([['198.18.0.12', 1000]]);
    expect(a.ipv6Bytes).toBe(700);
    expect(hostIpv6(2, true)).toEqual({
      host: 'fd00:192:168:2::2',
      routerWan: 'fd00:198:18::12',
      gateway: 'fd00:192:168:2::1',
      lanPrefix: 'fd00:192:168:2::/64',
    });
    // The home's IPv6 is routed, not translated: masquerade is for IPv4 only.
    expect(routerRuleset({ kind: 'cone', upnp: false, forwards: [] })).toContain(
      'meta nfproto ipv4 oifname "wan" masquerade\n',
    );
  });
});

describe('NAT lab CLI status', () => {
  it('reads the last status line and the error lines', () => {
    const log = [
      'http://127.0.0.1:1/stream/x/master.m3u8',
      'buffering | peers 1 | up 0 bit/s | down 0 bit/s | from peers 0% | buffer 0.0 s | behind live – | segments 0',
      'playing | peers 3 | up 1 Mbit/s | down 1 Mbit/s | from peers 42% | buffer 2.0 s | behind live 2.0 s | segments 27',
      'shoal: no answer from 198.18.0.10:40000: offline',
      'shoal: stopping…',
    ].join('\n');
    expect(lastStatus(log)).toEqual({
      state: 'playing',
      peers: 3,
      fromPeersPct: 42,
      segments: 27,
      reachable: null,
    });
    expect(cliErrors(log)).toEqual(['no answer from 198.18.0.10:40000: offline']);
    expect(lastStatus('nothing')).toBeNull();
    const mapped =
      'playing | peers 2 | up 0 bit/s | segments 3 | reachable: yes, via UPnP (198.18.0.13:40000)';
    expect(lastStatus(mapped)?.reachable).toBe('yes, via UPnP (198.18.0.13:40000)');
  });
});

describe('NAT lab port mapping', () => {
  it("answers a STUN Binding request with the sender's address, and drops anything else", () => {
    // RFC 5389 Binding request: type 0x0001, length 0, magic cookie, transaction id
    const request = Buffer.from('000100002112a442' + '0102030405060708090a0b0c', 'hex');
    const answer = stunAnswer(request, '198.18.0.11', 40000)!;
    expect(answer.subarray(0, 4).toString('hex')).toBe('01010018');
    expect(answer.subarray(4, 20).equals(request.subarray(4, 20))).toBe(true);
    // XOR-MAPPED-ADDRESS: port ^ 0x2112, address ^ magic cookie
    expect(answer.subarray(20, 32).toString('hex')).toBe(
      '002000080001' + (40000 ^ 0x2112).toString(16) + 'e700a449',
    );
    // MAPPED-ADDRESS in the clear
    expect(answer.subarray(32, 44).toString('hex')).toBe('000100080001' + '9c40' + 'c612000b');
    expect(stunAnswer(Buffer.alloc(3), '198.18.0.11', 1)).toBeNull();
    expect(stunAnswer(Buffer.from('0101000021120442' + '00'.repeat(12), 'hex'), '198.18.0.11', 1)).toBeNull();
    expect(stunAnswer(Buffer.from('000100042112a442' + '00'.repeat(12), 'hex'), '198.18.0.11', 1)).toBeNull();
  });

  it('points miniupnpd at the lab STUN server', () => {
    const host = {
      ...hostAddresses('ab', 3, true),
      spec: { nat: 'cone' as const, upnp: true, upMultiple: null },
      ipv6: null,
    };
    const conf = miniupnpdConfig(host, '/tmp/x', { ip: '198.18.0.249', port: 3478 });
    expect(conf).toContain('ext_perform_stun=yes\next_stun_host=198.18.0.249\next_stun_port=3478\n');
    expect(conf).toContain('allow 1024-65535 192.168.3.0/24 1024-65535');
  });

  it("runs 'before' without port mapping and with the broadcaster's port forwarded by hand", () => {
    const home = SCENARIOS.home!;
    expect(home.broadcaster).toMatchObject({ upnp: true, portForward: false });
    expect(withoutPortMapping(home)).toMatchObject({
      portMapping: false,
      broadcaster: { upnp: true, portForward: true },
    });
    expect(withoutPortMapping(SCENARIOS.public!).broadcaster.portForward).toBe(false);
  });
});

describe('NAT lab report', () => {
  const seg = 2000;

  it('counts a segment on time when it is complete before it is due', () => {
    // First at 0 ms, play from 4000; k due at 4000 + 2000k; segment 3 comes late.
    const arrivals = new Map([
      [0, 0],
      [1, 2000],
      [2, 4000],
      [3, 11_000],
      [4, 11_500],
    ]);
    expect(continuity(arrivals, 12_000, seg, 2 * seg)).toBeCloseTo(4 / 5);
    expect(continuity(new Map(), 12_000, seg, 2 * seg)).toBeNull();
  });

  const viewer = (
    index: number,
    received: [string, number][],
    arrivals: Map<number, number>,
  ): ViewerRecord => ({
    index,
    nat: 'cone',
    upnp: false,
    publicIp: `198.18.0.${10 + index}`,
    arrivals,
    received: new Map(received),
    cli: null,
    errors: [],
    exitedAfterSec: null,
    cpu: null,
  });

  const steady = new Map(Array.from({ length: 10 }, (_, k) => [k, k * seg] as [number, number]));
  const record: RunRecord = {
    scenario: withOverrides(SCENARIOS.ci!, 3),
    endAt: 20_000,
    broadcasterIp: '198.18.0.10',
    segmentDoneAt: new Map(Array.from({ length: 10 }, (_, k) => [k, k * seg - 1000] as [number, number])),
    sourceBitrateKbps: 1000,
    broadcasterTxBytes: 250_000 * 10,
    windowSec: 10,
    natPmpSilent: [],
    viewers: [
      viewer(
        1,
        [
          ['198.18.0.10', 600_000],
          ['198.18.0.12', 400_000],
          ['198.18.0.13', 10],
        ],
        steady,
      ),
      viewer(
        2,
        [
          ['198.18.0.10', 600_000],
          ['198.18.0.11', 400_000],
        ],
        steady,
      ),
      viewer(3, [['198.18.0.10', 1000]], new Map()),
    ],
    notes: [],
  };

  it('counts pairs, offload, broadcaster upload and playing viewers', () => {
    const f = computeFigures(record);
    expect(f.pairs).toEqual({ total: 3, exchanging: 1, bothWays: 1 });
    expect(f.broadcasterUpX).toBeCloseTo(2);
    expect(f.offload).toBeCloseTo(800_010 / 2_001_010);
    expect(f.playing).toBe(2);
    expect(f.viewers[0]).toMatchObject({ segments: 10, continuity: 1, lagP50Sec: 1, linkedPeers: 1 });
    expect(f.viewers[2]).toMatchObject({ playing: false, segments: 0, continuity: null, fromPeersKernel: 0 });
  });

  it('tells a broken lab from a struggling product', () => {
    expect(labProblems(record, computeFigures(record))).toEqual([]);
    const broken: RunRecord = { ...record, segmentDoneAt: new Map([[0, 0]]), natPmpSilent: [2] };
    expect(labProblems(broken, computeFigures(broken))).toEqual([
      'ffmpeg produced 1 segments, expected about 15',
      'miniupnpd on router r2 did not answer NAT-PMP',
    ]);
  });

  it('reports a late viewer apart: its first segment, not a resumption', () => {
    const moved: RunRecord = {
      ...record,
      scenario: { ...SCENARIOS.move!, durationSec: 20 },
      viewers: [
        viewer(1, [], steady),
        // Started at 15 s, 5 s after the move at 10 s: segment 8 (done at 15 s) came from a
        // peer's buffer, segment 9 (done at 17 s) is the first live one.
        viewer(
          5,
          [],
          new Map([
            [8, 16_500],
            [9, 18_000],
          ]),
        ),
      ],
    };
    const lines = dhtFigures(
      moved,
      new Map([
        [1, -5000],
        [5, 15_000],
      ]),
      10_000,
      new Set([5]),
    );
    expect(lines[0]).toContain('(1/1 played');
    expect(lines[1]).toBe(
      'late viewer v5 (cone, started 5 s after the broadcaster moved, given only shoal://<id>): first segment 1.5 s after its start, first segment encoded after its start 3.0 s after it',
    );
    // Segment 6 (done at 11 s) is the first encoded after the move; v1 had it at 12 s.
    expect(lines[2]).toContain('2.0 s p50, 2.0 s max after it (1/1 resumed');
    // Timed also from the moment the CLI began to watch, when the lab saw its "joining" line.
    const joined = dhtFigures(moved, new Map([[1, -5000]]), 10_000, new Set([5]), new Map([[1, -2000]]));
    expect(joined[0]).toContain('after the CLI started');
    expect(joined[1]).toMatch(
      /from the moment each CLI began to watch .*: 2\.0 s p50, 2\.0 s max \(each: 2\.0\)/,
    );
  });

  it('survives a round trip through record.json', () => {
    const again = recordFromJson(recordToJson(record));
    expect(again.viewers[0]!.received.get('198.18.0.12')).toBe(400_000);
    expect(computeFigures(again)).toEqual(computeFigures(record));
  });
});
