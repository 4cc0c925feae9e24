// The attacks of issue 15 §2 and §2b, each from a loopback address of its own against a live node of the Lab.
// Each runs for a bounded count or time and returns what it sent and what it observed;
// run.ts measures the victims (RSS, viewers' continuity) around it.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  decodePacket,
  encodeDataPacket,
  encodePacket,
  type Frame,
  type Packet,
  type PeerAddress,
  type SegmentEntry,
} from '../../src-main/protocol/index.js';
import { Capability } from '../../src-main/protocol/constants.js';
import { Endpoint, type PeerSession } from '../../src-main/transport/index.js';
import { ScriptedPeer } from '../../test/fakes/scripted-peer.js';
import { frame as anyFrame } from '../../test/protocol/arbitraries.js';
import type { Lab } from './lab.js';

export interface AttackResult {
  datagrams: number;
  /** Figures particular to the attack, printed under the table. */
  notes: string[];
  /** Extra pass/miss checks of this attack (besides continuity and RSS). */
  checks?: { name: string; pass: boolean }[];
}

export interface Attack {
  name: string;
  /** Which node is flooded: the broadcaster, or viewer 0. */
  target: 'broadcaster' | 'viewer';
  run(lab: Lab, target: PeerAddress): Promise<AttackResult>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Where the honest processes run (and the victims of reflection listen). */
const LOCAL = '127.0.0.1';
/**
 * Where the current attack comes from: a loopback address of its own (run.ts sets one per
 * attack), because nodes ban by source IP (PROTOCOL §13.5): an attack from 127.0.0.1 that
 * gets its sender banned would ban the honest viewers on 127.0.0.1 with it and spoil the
 * attacks after it.
 */
let attacker = '127.0.0.1';
export function setAttackerHost(host: string): void {
  attacker = host;
}
const CAPS = Capability.PIECES | Capability.PEX | Capability.RELAY;

async function rawSockets(n: number): Promise<dgram.Socket[]> {
  const out: dgram.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = dgram.createSocket('udp4');
    s.on('error', () => {});
    s.on('message', () => {});
    await new Promise<void>((r) => s.bind(0, attacker, r));
    out.push(s);
  }
  return out;
}

const closeAll = (sockets: dgram.Socket[]): Promise<void[]> =>
  Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));

async function connectMany(target: PeerAddress, streamId: Uint8Array, n: number): Promise<ScriptedPeer[]> {
  const out: ScriptedPeer[] = [];
  for (let i = 0; i < n; i++) {
    try {
      out.push(
        await ScriptedPeer.connect(target, streamId, { capabilities: CAPS, timeoutMs: 3000, host: attacker }),
      );
    } catch {
      // no answer: counted by the caller as not connected
    }
  }
  return out;
}

/** Sends `total` datagrams from `make(i)` at about `perSecond`, yielding to the loop. */
async function paced(
  total: number,
  perSecond: number,
  send: (i: number) => void,
  maxMs = Infinity,
): Promise<number> {
  const started = Date.now();
  let i = 0;
  while (i < total && Date.now() - started < maxMs) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1);
    for (; i < due; i++) send(i);
    await sleep(i >= due ? Math.max(1, Math.ceil(1000 / perSecond)) : 0);
  }
  return i;
}

/** A session of a real Endpoint to `target` (for attackers that need reliable transfer). */
async function endpointSession(
  target: PeerAddress,
  streamId: Uint8Array,
): Promise<{ ep: Endpoint; s: PeerSession }> {
  const ep = new Endpoint({ host: attacker, port: 0, capabilities: CAPS });
  await ep.start();
  const s = await ep.connect(target, streamId, { timeoutMs: 5000 });
  return { ep, s };
}

function hello(streamId: Uint8Array, cid: Uint8Array): Buffer {
  return encodePacket({
    header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
    body: {
      minVersion: MIN_SUPPORTED_VERSION,
      maxVersion: MAX_SUPPORTED_VERSION,
      capabilities: CAPS,
      streamId,
      sourceCid: cid,
      nodeId: randomBytes(8),
      maxDatagram: 1200,
      cookie: new Uint8Array(0),
    },
  });
}

// ---- §2: mutated datagrams ----------------------------------------------------------------

export function mutatedFlood(count: number, perSecond: number): Attack {
  return {
    name: `mutated datagrams (${count})`,
    target: 'broadcaster',
    async run(lab, target) {
      const sockets = await rawSockets(256);
      const peers = (await connectMany(target, lab.streamId, 8)).filter((p) => p.welcome);
      // Confirm the sessions (first DATA packet), so their cids route.
      peers.forEach((p) => p.send(0, [{ type: 'PING', nonce: 1 }]));
      const frames = fc.sample(anyFrame, { seed: 15, numRuns: 4000 });
      const pns = peers.map(() => 1);
      let seed = 0x9e3779b9;
      const rnd = (n: number): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const base = (): { buf: Buffer; peer: ScriptedPeer | null } => {
        const kind = rnd(10);
        if (kind === 0 || peers.length === 0) return { buf: hello(lab.streamId, randomBytes(8)), peer: null };
        const k = rnd(peers.length);
        const p = peers[k]!;
        const pn = rnd(8) === 0 ? rnd(0xffffffff) : pns[k]!++;
        const fs: Frame[] = [];
        for (let j = rnd(3); j >= 0; j--) fs.push(frames[rnd(frames.length)]!);
        const top = Math.max(0, pn - rnd(50));
        const ack =
          rnd(3) === 0
            ? { delayUs: 0, ranges: [[Math.max(0, top - rnd(20)), top] as [number, number]] }
            : undefined;
        try {
          return { buf: p.encode(pn, kind === 1 ? [] : fs, ack), peer: p };
        } catch {
          return { buf: randomBytes(40), peer: null };
        }
      };
      const mutate = (buf: Buffer): Buffer => {
        const b = Buffer.from(buf);
        switch (rnd(6)) {
          case 0:
            return b; // valid
          case 1:
            return b.subarray(0, rnd(b.length + 1)); // truncated
          case 2:
            return Buffer.concat([b, randomBytes(1 + rnd(64))]);
          default:
            for (let j = 1 + rnd(3); j > 0; j--) {
              const at = rnd(b.length);
              b[at] = b[at]! ^ (1 + rnd(255));
            }
            return b;
        }
      };
      const sent = await paced(count, perSecond, () => {
        const { buf, peer } = base();
        const m = mutate(buf);
        // Half from the session's own address (so they reach its state), half from anywhere.
        if (peer && rnd(2) === 0) peer.sendRaw(m);
        else sockets[rnd(sockets.length)]!.send(m, target.port, target.host);
      });
      await Promise.all(peers.map((p) => p.close()));
      await closeAll(sockets);
      return {
        datagrams: sent,
        notes: [`${peers.length} sessions were mutated from inside, 256 other source ports`],
      };
    },
  };
}

// ---- §2: half-open and fake sessions -------------------------------------------------------

export function halfOpen(
  ports: number,
  cidsPerPort: number,
  seconds: number,
  target: 'broadcaster' | 'viewer' = 'broadcaster',
): Attack {
  return {
    name: `half-open + huge claims (${ports} ports)`,
    target,
    async run(lab, target) {
      const sockets = await rawSockets(ports);
      let datagrams = 0;
      let welcomes = 0;
      let rejects = 0;
      let claims = 0;
      const reasons = new Map<string, number>();
      // Each socket does real handshakes (HELLO, RETRY's cookie, HELLO, WELCOME) and then
      // nothing; one in four then claims huge transfers (4 GiB SEGMENT_DATA, 4 GiB ranges).
      sockets.forEach((s, i) => {
        s.removeAllListeners('message');
        s.on('message', (msg) => {
          let p: Packet;
          try {
            p = decodePacket(msg);
          } catch {
            return;
          }
          if (p.header.type === 'RETRY') {
            const cookie = (p as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie;
            s.send(helloWith(lab.streamId, Uint8Array.from(p.header.dcid), cookie), target.port, target.host);
            datagrams++;
          } else if (p.header.type === 'REJECT') {
            rejects++;
            const body = (p as Extract<Packet, { header: { type: 'REJECT' } }>).body;
            const why = `${body.code} ${body.message}`;
            reasons.set(why, (reasons.get(why) ?? 0) + 1);
          } else if (p.header.type === 'WELCOME') {
            welcomes++;
            if (i % 4 !== 0) return;
            const cid = (p as Extract<Packet, { header: { type: 'WELCOME' } }>).body.sourceCid;
            const claim = encodeDataPacket({ dcid: cid, pn: 0, timestamp: 0, timestampDiff: 0 }, [
              {
                type: 'SEGMENT_DATA',
                reqId: 7,
                offset: 0xfffff000,
                totalSize: 0xffffffff,
                data: Buffer.alloc(1000),
              },
              {
                type: 'SEGMENT_REQUEST',
                reqId: 9,
                rendition: 0,
                kind: 'media',
                seq: 0,
                deadlineMs: 0xffffffff,
                priority: 0,
                range: { offset: 0, length: 0xffffffff },
              },
            ]);
            s.send(claim, target.port, target.host);
            datagrams++;
            claims++;
          }
        });
      });
      const total = ports * cidsPerPort;
      datagrams += await paced(total, total / seconds, (i) =>
        sockets[i % ports]!.send(hello(lab.streamId, randomBytes(8)), target.port, target.host),
      );
      await sleep(2000);
      await closeAll(sockets);
      return {
        datagrams,
        notes: [
          `${total} handshakes: ${welcomes} WELCOMEs, ${rejects} REJECTs (${[...reasons].map(([w, n]) => `${n}× ${w}`).join(', ')}); ${claims} sessions claimed 4 GiB transfers`,
        ],
      };
    },
  };
}

function helloWith(streamId: Uint8Array, cid: Uint8Array, cookie: Uint8Array): Buffer {
  return encodePacket({
    header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
    body: {
      minVersion: MIN_SUPPORTED_VERSION,
      maxVersion: MAX_SUPPORTED_VERSION,
      capabilities: CAPS,
      streamId,
      sourceCid: cid,
      nodeId: randomBytes(8),
      maxDatagram: 1200,
      cookie,
    },
  });
}

// ---- §2b: floods from one hostile peer -----------------------------------------------------

/** One session that sends `frames(i)` at `perSecond`, never acknowledging anything. */
function unackedFlood(
  name: string,
  target: 'broadcaster' | 'viewer',
  perSecond: number,
  seconds: number,
  frames: (i: number) => Frame[],
): Attack {
  return {
    name,
    target,
    async run(lab, addr) {
      const [p] = await connectMany(addr, lab.streamId, 1);
      if (!p?.welcome) {
        await p?.close();
        return { datagrams: 0, notes: ['the flooding peer was not admitted'] };
      }
      const sent = await paced(perSecond * seconds, perSecond, (i) => p.send(i, frames(i)));
      const goodbye = p.framesOf('GOODBYE')[0];
      await p.close();
      return {
        datagrams: sent,
        notes: [
          goodbye
            ? `the node closed the session: ${goodbye.message} (code ${goodbye.code})`
            : 'the session was never closed by the node',
        ],
      };
    },
  };
}

export const pexRequestFlood = (seconds: number): Attack =>
  unackedFlood('PEX_REQUEST flood (290/s, never acked)', 'broadcaster', 290, seconds, () => [
    { type: 'PEX_REQUEST', max: 255 },
  ]);

export const playlistRequestFlood = (seconds: number): Attack =>
  unackedFlood('PLAYLIST_REQUEST flood (290/s)', 'broadcaster', 290, seconds, (i) => [
    { type: 'PLAYLIST_REQUEST', reqId: i, rendition: 0, fromSeq: 0 },
  ]);

export const availabilityFlood = (seconds: number): Attack =>
  unackedFlood('AVAILABILITY/PIECE_HAVE flood on a viewer (300/s)', 'viewer', 300, seconds, (i) =>
    i % 2 === 0
      ? [
          {
            type: 'AVAILABILITY',
            rendition: 0,
            baseSeq: i,
            count: 0xffff,
            bitmap: Buffer.alloc(0x2000, 0xff).subarray(0, 0x2000),
          },
        ]
      : [
          {
            type: 'PIECE_HAVE',
            rendition: 0,
            seq: i,
            count: 24,
            bitmap: Buffer.from([0xff, 0xff, 0xff]),
            offer: true,
          },
        ],
  );

/** Four sessions that answer PINGs and nothing else; then a new real viewer tries to join. */
export function pingOnlySessions(seconds: number): Attack {
  return {
    name: '4 fake sessions answering only PINGs',
    target: 'broadcaster',
    async run(lab, addr) {
      const fakes = (await connectMany(addr, lab.streamId, 4)).filter((p) => p.welcome);
      const pns = fakes.map(() => 1);
      const answered = fakes.map(() => 0);
      fakes.forEach((p) => p.send(0, [{ type: 'PING', nonce: 0 }]));
      let datagrams = fakes.length;
      const keepAlive = setInterval(() => {
        fakes.forEach((p, k) => {
          const pings = p.framesOf('PING');
          for (; answered[k]! < pings.length; answered[k]!++) {
            p.send(pns[k]!++, [{ type: 'PONG', nonce: pings[answered[k]!]!.nonce }]);
            datagrams++;
          }
        });
      }, 100);
      await sleep(2000);
      const late = await lab.viewer();
      const started = Date.now();
      const played = await lab.waitPlaying(1, (seconds - 2) * 1000, [late]);
      const joinMs = Date.now() - started;
      await sleep(Math.max(0, seconds * 1000 - 2000 - joinMs));
      clearInterval(keepAlive);
      await late.watch.stop();
      late.proc.child.kill('SIGKILL');
      await Promise.all(fakes.map((p) => p.close()));
      return {
        datagrams,
        notes: [
          `${fakes.length} fake sessions admitted; a viewer started 2 s later ${played ? `played after ${(joinMs / 1000).toFixed(1)} s` : 'never played'}`,
        ],
        checks: [{ name: 'a new viewer plays within 20 s', pass: played && joinMs <= 20_000 }],
      };
    },
  };
}

/** Unsolicited PEX_RESPONSEs naming victim ports (and multicast/broadcast addresses). */
export function pexReflection(seconds: number): Attack {
  return {
    name: 'unsolicited PEX_RESPONSE reflection',
    target: 'viewer',
    async run(lab, addr) {
      const victims = await rawSockets(40);
      let reflected = 0;
      victims.forEach((v) => {
        v.removeAllListeners('message');
        v.on('message', (m) => (reflected += m.length));
      });
      const [p] = await connectMany(addr, lab.streamId, 1);
      if (!p?.welcome) return { datagrams: 0, notes: ['the attacker was not admitted'] };
      let sentBytes = 0;
      const peers = [
        ...victims.map((v) => ({
          host: v.address().address,
          port: v.address().port,
          nodeId: randomBytes(8),
          flags: 0,
        })),
        { host: '224.0.0.1', port: 9, nodeId: randomBytes(8), flags: 0 },
        { host: '255.255.255.255', port: 9, nodeId: randomBytes(8), flags: 0 },
        { host: '0.0.0.0', port: 9, nodeId: randomBytes(8), flags: 0 },
      ];
      const sent = await paced(seconds, 1, (i) => {
        const buf = p.encode(i, [{ type: 'PEX_RESPONSE', peers }]);
        sentBytes += buf.length;
        p.sendRaw(buf);
      });
      await sleep(3000);
      await p.close();
      await closeAll(victims);
      const ratio = reflected / Math.max(1, sentBytes);
      return {
        datagrams: sent,
        notes: [
          `attacker sent ${sentBytes} B; the 40 victim ports received ${reflected} B (${ratio.toFixed(1)}x)`,
        ],
        checks: [{ name: 'reflection <= 1x', pass: ratio <= 1 }],
      };
    },
  };
}

/** Gets banned (a forged HAVE), comes back from a new port, again and again. */
export function reconnectAfterBan(seconds: number): Attack {
  return {
    name: 'reconnect after ban from new ports',
    target: 'viewer',
    async run(lab, addr) {
      const entry: SegmentEntry = {
        rendition: 0, flags: 0, seq: 1_000_000, initSeq: null, durationUs: 1_000_000, size: 1000,
        programDateTimeMs: 0, sha256: randomBytes(32), signature: randomBytes(64),
      }; // prettier-ignore
      let attempts = 0;
      let admitted = 0;
      let banned = 0;
      let datagrams = 0;
      const deadline = Date.now() + seconds * 1000;
      while (Date.now() < deadline) {
        attempts++;
        const [p] = await connectMany(addr, lab.streamId, 1);
        if (!p) continue;
        if (p.welcome) {
          admitted++;
          p.send(0, [{ type: 'HAVE', entry }]);
          datagrams++;
          const until = Date.now() + 1500;
          while (Date.now() < until && p.framesOf('GOODBYE').length === 0) await sleep(50);
          if (p.framesOf('GOODBYE').length > 0) banned++;
        }
        await p.close();
        await sleep(200);
      }
      return {
        datagrams: datagrams + attempts * 2,
        notes: [`${attempts} connections from new ports: ${admitted} admitted, ${banned} banned again`],
        checks: [{ name: 'banned peer kept out (<= 1 admission)', pass: admitted <= 1 }],
      };
    },
  };
}

/** A relay that offers genuine entries to a viewer and never answers its requests. */
export function requestNeverAnswer(seconds: number): Attack {
  return {
    name: 'request-and-never-answer relay',
    target: 'viewer',
    async run(lab, addr) {
      const up = await endpointSession({ host: LOCAL, port: lab.broadcasterPort }, lab.streamId).catch(
        () => null,
      );
      const down = await endpointSession(addr, lab.streamId).catch(() => null);
      if (!up || !down) {
        await up?.ep.destroy();
        await down?.ep.destroy();
        return { datagrams: 0, notes: ['the relay could not connect both sides'] };
      }
      let requests = 0;
      down.s.on('segmentRequest', () => requests++);
      down.s.on('playlistRequest', () => requests++);
      up.s.on('frame', (f) => {
        if (down.s.closed) return;
        if (f.type === 'HAVE' || f.type === 'PIECE_MAP') down.s.send(f);
        if (f.type === 'PIECE_MAP') {
          const count = f.map.hashes.length;
          const bitmap = Buffer.alloc((count + 7) >>> 3, 0xff);
          if (count % 8) bitmap[bitmap.length - 1] = (0xff00 >>> (count % 8)) & 0xff;
          down.s.send({
            type: 'PIECE_HAVE',
            rendition: f.map.entry.rendition,
            seq: f.map.entry.seq,
            count,
            bitmap,
            offer: true,
          });
        }
      });
      await sleep(seconds * 1000);
      const closed = down.s.closed
        ? `the viewer closed it: ${down.s.reason?.message}`
        : 'the viewer kept it open';
      const datagrams = down.ep.stats().datagramsOut + up.ep.stats().datagramsOut;
      await up.ep.destroy();
      await down.ep.destroy();
      return { datagrams, notes: [`${requests} requests left unanswered; ${closed}`] };
    },
  };
}

/** One peer pulling every segment a node holds, again and again, as fast as it will send. */
export function unlimitedPull(seconds: number): Attack {
  return {
    name: 'unlimited pull from a viewer',
    target: 'viewer',
    async run(lab, addr) {
      const c = await endpointSession(addr, lab.streamId).catch(() => null);
      if (!c) return { datagrams: 0, notes: ['the puller was not admitted'] };
      let bytes = 0;
      let refused = 0;
      const entries: SegmentEntry[] = [];
      c.s.on('frame', (f) => {
        if (f.type === 'HAVE' && !(f.entry.flags & 1)) entries.push(f.entry);
      });
      const pl = await c.s.requestPlaylist({ rendition: 0, fromSeq: 0 }, 3000).catch(() => null);
      for (const e of pl?.entries ?? []) if (!(e.flags & 1)) entries.push(e);
      const deadline = Date.now() + seconds * 1000;
      const worker = async (k: number): Promise<void> => {
        for (let i = k; Date.now() < deadline && !c.s.closed; i++) {
          const recent = entries.slice(-6);
          if (recent.length === 0) {
            await sleep(200);
            continue;
          }
          const e = recent[i % recent.length]!;
          const data = await c.s
            .requestSegment({ rendition: 0, kind: 'media', seq: e.seq, expectedSize: e.size })
            .done.catch(() => null);
          if (data) bytes += data.length;
          else {
            refused++;
            await sleep(50);
          }
        }
      };
      await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
      const datagrams = c.ep.stats().datagramsOut;
      await c.ep.destroy();
      return {
        datagrams,
        notes: [
          `pulled ${(bytes / 2 ** 20).toFixed(1)} MiB in ${seconds} s (${((bytes * 8) / seconds / 1e6).toFixed(1)} Mbit/s); ${refused} requests refused or failed`,
        ],
      };
    },
  };
}
