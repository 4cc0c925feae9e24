// Stateful fuzzing of a whole node (issue 15 §2): a run builds a broadcaster or a viewer,
// lets up to three scripted peers complete real handshakes, and plays a random sequence of
// valid-looking packets at it: packet numbers going back, forward and repeating; ACK
// ranges over never-sent, forgotten and future packets; every frame type with boundary
// values; fragments that overlap, exceed or contradict their declared size; GOODBYE
// mid-transfer; requests for every kind of absent data; time jumps that fire the timers.
//
// The property: nothing escapes to the process, every fault is a detected protocol
// violation (others are findings), memory stays bounded during the run, everything of the
// attackers is gone once they fall silent past the idle timeout, and an honest peer can
// still connect and get data.

import fc from 'fast-check';
import { NotAvailableReason } from '../../src-main/protocol/constants.js';
import { ErrorCode } from '../../src-shared/errors.js';
import type { AckBlock, AckRange, Frame, PexPeer, SegmentEntry } from '../../src-main/protocol/types.js';
import { Capability } from '../../src-main/protocol/constants.js';
import { MemoryNet } from '../fakes/memory-net.js';
import { ackRanges, frame as anyFrame } from '../protocol/arbitraries.js';
import { MemoryPeer } from './memory-peer.js';
import { NODE_ADDRESS, NodeUnderFuzz, StormCheckedClock } from './node-under-fuzz.js';
import { signedStream } from './signed-stream.js';

const U32 = 0xffff_ffff;

type PnChoice =
  | { mode: 'next' }
  | { mode: 'repeat' }
  | { mode: 'back'; by: number }
  | { mode: 'jump'; by: number }
  | { mode: 'abs'; pn: number };

type AckChoice =
  | { mode: 'none' }
  | { mode: 'seen'; drop: number }
  | { mode: 'future'; span: number }
  | { mode: 'forgotten' }
  | { mode: 'all'; extra: number }
  | { mode: 'random'; ranges: AckRange[] };

/** A frame built at run time from what the node has said (its request ids) or holds. */
type FrameChoice =
  | { kind: 'any'; frame: Frame }
  | { kind: 'answer-playlist'; pick: number; parts: number; part: number; entries: number; tamper: boolean }
  | {
      kind: 'fragment';
      pick: number;
      seg: number;
      offset: number;
      length: number;
      total: 'true' | 'smaller' | 'larger' | 'exceed' | 'max';
      garbage: boolean;
    }
  | { kind: 'not-available'; pick: number; reason: number }
  | { kind: 'have'; seg: number; tamper: number }
  | { kind: 'piece-map'; seg: number; tamper: boolean }
  | { kind: 'piece-have'; seg: number; bits: number; offer: boolean; count: number }
  | { kind: 'availability'; baseSeq: number; count: number; fill: number }
  | {
      kind: 'request-absent';
      reqId: number;
      rendition: number;
      init: boolean;
      seq: number;
      range: null | { offset: number; length: number };
    }
  | { kind: 'playlist-request'; reqId: number; rendition: number; fromSeq: number }
  | { kind: 'cancel'; pick: number; priority: boolean }
  | { kind: 'goodbye'; code: number }
  | { kind: 'pex'; max: number; respond: number; weird: boolean }
  | { kind: 'offline'; which: number; tamper: boolean };

export type Action =
  | { k: 'packet'; pn: PnChoice; ack: AckChoice; frames: FrameChoice[]; flip: number | null }
  | { k: 'advance'; ms: number }
  | { k: 'reconnect' }
  | { k: 'half-open' };

export interface Sequence {
  upstream: boolean;
  actions: Action[];
  end: 'goodbye' | 'silent' | 'idle-out';
}

export interface Scenario {
  role: 'broadcaster' | 'viewer';
  sequences: Sequence[];
}

// ---- arbitraries ---------------------------------------------------------------------------

const u32 = fc.integer({ min: 0, max: U32 });
const boundaryU32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 4, 5, 255, 256, 0xffff, 0x10000, 0x7fff_ffff, 0x8000_0000, U32 - 1, U32),
  u32,
);
const smallSeq = fc.oneof(fc.integer({ min: 0, max: 8 }), boundaryU32);

const pnChoice: fc.Arbitrary<PnChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ mode: 'next' as const }) },
  { weight: 1, arbitrary: fc.constant({ mode: 'repeat' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 300 }).map((by) => ({ mode: 'back' as const, by })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.integer({ min: 2, max: 2000 }), fc.constantFrom(0x10000, 0x7fff_ffff))
      .map((by) => ({ mode: 'jump' as const, by })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, 1, 0x7fff_ffff, U32 - 1, U32).map((pn) => ({ mode: 'abs' as const, pn })),
  },
);

const ackChoice: fc.Arbitrary<AckChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ mode: 'none' as const }) },
  { weight: 4, arbitrary: fc.nat(7).map((drop) => ({ mode: 'seen' as const, drop })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 5000 }).map((span) => ({ mode: 'future' as const, span })),
  },
  { weight: 1, arbitrary: fc.constant({ mode: 'forgotten' as const }) },
  { weight: 1, arbitrary: fc.nat(100).map((extra) => ({ mode: 'all' as const, extra })) },
  { weight: 1, arbitrary: ackRanges.map((ranges) => ({ mode: 'random' as const, ranges })) },
);

/** Frames that end a session when random: signed records that fail to verify, and GOODBYE. */
const SIGNED_OR_FINAL = new Set<Frame['type']>(['HAVE', 'PIECE_MAP', 'PLAYLIST', 'STREAM_INFO', 'GOODBYE']);
const rarely = fc.nat(7).map((n) => n === 0);

const frameChoice: fc.Arbitrary<FrameChoice> = fc.oneof(
  {
    weight: 12,
    arbitrary: anyFrame
      .filter((f) => !SIGNED_OR_FINAL.has(f.type))
      .map((frame) => ({ kind: 'any' as const, frame })),
  },
  {
    // Forged records (random signatures): a ban at once, so rare.
    weight: 1,
    arbitrary: anyFrame
      .filter((f) => f.type !== 'GOODBYE' && SIGNED_OR_FINAL.has(f.type))
      .map((frame) => ({ kind: 'any' as const, frame })),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('answer-playlist' as const),
      pick: fc.nat(),
      parts: fc.constantFrom(1, 1, 2, 255),
      part: fc.constantFrom(0, 0, 1, 254),
      entries: fc.nat(7),
      tamper: rarely,
    }),
  },
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant('fragment' as const),
      pick: fc.nat(),
      seg: fc.nat(5),
      offset: fc.oneof(fc.nat(25_000), boundaryU32),
      length: fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.constant(1)),
      total: fc.constantFrom(
        'true' as const,
        'true' as const,
        'smaller' as const,
        'larger' as const,
        'true' as const,
        'exceed' as const,
        'max' as const,
      ),
      garbage: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('not-available' as const),
      pick: fc.nat(),
      reason: fc.oneof(
        fc.constantFrom(...Object.values(NotAvailableReason)),
        fc.integer({ min: 0, max: 255 }),
      ),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('have' as const),
      seg: fc.nat(5),
      tamper: fc.nat(4).chain((t) => rarely.map((r) => (r ? t : 0))),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('piece-map' as const), seg: fc.nat(4), tamper: rarely }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('piece-have' as const),
      seg: fc.nat(4),
      bits: fc.nat(0xffffff),
      offer: fc.boolean(),
      count: fc.constantFrom(0, 1, 3, 24),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('availability' as const),
      baseSeq: smallSeq,
      count: fc.constantFrom(0, 1, 7, 8, 9, 600, 0xffff),
      fill: fc.constantFrom(0, 0xff, 0x55),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('request-absent' as const),
      reqId: boundaryU32,
      rendition: fc.constantFrom(0, 0, 1, 255),
      init: fc.boolean(),
      seq: smallSeq,
      range: fc.option(
        fc.record({
          offset: fc.oneof(fc.nat(30_000), boundaryU32),
          length: fc.oneof(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom(U32, 0x7fff_ffff)),
        }),
        { nil: null },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('playlist-request' as const),
      reqId: boundaryU32,
      rendition: fc.constantFrom(0, 0, 3, 255),
      fromSeq: smallSeq,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), priority: fc.boolean() }),
  },
  {
    weight: 1, // GOODBYE mid-transfer: rare, or sequences end early
    arbitrary: fc.record({
      kind: fc.constant('goodbye' as const),
      code: fc.oneof(fc.constantFrom(0, ErrorCode.CLOSED, ErrorCode.PROTOCOL_VIOLATION), fc.nat(0xffff)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('pex' as const),
      max: fc.constantFrom(0, 1, 16, 255),
      respond: fc.constantFrom(0, 1, 40),
      weird: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('offline' as const), which: fc.nat(3), tamper: rarely }),
  },
);

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      k: fc.constant('packet' as const),
      pn: pnChoice,
      ack: ackChoice,
      frames: fc.array(frameChoice, { minLength: 0, maxLength: 4 }),
      flip: fc.option(fc.nat(), { nil: null, freq: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(25, 1000, 5000, 15_001)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'reconnect' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'half-open' as const }) },
);

/**
 * One sequence: a scripted peer (a fresh one from a new port, or a viewer's upstream, which
 * the viewer dialed) completes a real handshake, plays `actions`, and ends: GOODBYE, falls
 * silent (its session stays until the idle timeout), or falls silent past the idle timeout.
 */
const sequence: fc.Arbitrary<Sequence> = fc.record({
  upstream: fc.boolean(),
  actions: fc.array(action, { minLength: 1, maxLength: 16 }),
  end: fc.constantFrom('goodbye' as const, 'goodbye' as const, 'silent' as const, 'idle-out' as const),
});

/** A run: one node, many sequences against it, then the drain and honest-peer checks. */
export const scenario: fc.Arbitrary<Scenario> = fc.record({
  role: fc.constantFrom('broadcaster' as const, 'viewer' as const),
  sequences: fc.array(sequence, { minLength: 1, maxLength: 60, size: 'max' }),
});

// ---- one run -------------------------------------------------------------------------------

export interface RunOutcome {
  /** What broke, or null. */
  failure: string | null;
  datagrams: number;
  sequences: number;
}

let escaped: string[] = [];
let guardsInstalled = 0;
const onUncaught = (err: unknown): void => {
  escaped.push(`uncaught exception: ${(err as Error)?.stack ?? String(err)}`);
};
const onRejection = (err: unknown): void => {
  escaped.push(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`);
};

/** Process-wide detectors of anything escaping a run; pair with removeEscapeGuards(). */
export function installEscapeGuards(): void {
  if (guardsInstalled++ > 0) return;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
}

export function removeEscapeGuards(): void {
  if (--guardsInstalled > 0) return;
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onRejection);
}

export async function runScenario(sc: Scenario): Promise<RunOutcome> {
  escaped = [];
  const stream = signedStream();
  const net = new MemoryNet();
  const clock = new StormCheckedClock();
  let peerCount = 0;
  const newPeer = (host: string): MemoryPeer => {
    const n = peerCount++;
    return new MemoryPeer(net, { host, port: 7000 + n }, NODE_ADDRESS, stream.streamId, CAPS, n);
  };
  // A viewer dials its upstream (its bootstrap), a scripted peer answering as a server.
  const upstream = sc.role === 'viewer' ? newPeer('127.0.0.2') : null;
  const node = await NodeUnderFuzz.open(net, clock, sc.role, upstream ? [upstream.address] : []);
  const live: MemoryPeer[] = [];
  let failure: string | null = null;
  const fail = (why: string): void => {
    failure ??= why;
  };
  try {
    await net.settle();
    for (const [i, seq] of sc.sequences.entries()) {
      let p: MemoryPeer;
      if (seq.upstream && upstream) {
        p = upstream;
        // The viewer redials a lost upstream after a while.
        if (!p.connected) node.advance(1000);
        await net.settle();
      } else {
        p = newPeer(`127.0.0.${10 + (i % 200)}`);
        live.push(p);
        p.hello();
        net.deliver();
      }
      for (const [j, a] of seq.actions.entries()) {
        await step(a, p, node, net, newPeer);
        // Datagrams are handed over at once; the node's answers (sent from its flush, after
        // the loop turn) come back every few actions, so bursts reach it unanswered too.
        net.deliver();
        if (j % 4 === 3) await net.settle();
        if (escaped.length) break;
      }
      await end(seq.end, p, node, net);
      const broken = node.checkBounded();
      if (broken) fail(`sequence ${i}: ${broken}`);
      if (escaped.length || failure) break;
      // Closed sockets of fresh peers that said goodbye: their address is free again.
      if (p !== upstream && seq.end === 'goodbye') await p.socket.close();
    }
    // Every attacker falls silent; past the idle and handshake timeouts nothing of them is left.
    if (upstream) upstream.silent = true;
    const cfg = node.node.endpoint.config;
    const quiet = Math.max(cfg.idleTimeoutMs, cfg.handshakeTimeoutMs) + 2000;
    for (let t = 0; t < quiet; t += 1000) {
      node.advance(1000);
      await net.settle();
    }
    const drained = node.checkDrained();
    if (drained) fail(drained);
    if (!failure && !escaped.length) {
      const honest = await node.honestCheck();
      if (honest) fail(honest);
    }
  } catch (err) {
    fail(`harness: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await node.destroy();
    for (const p of live) await p.socket.close();
    if (upstream) await upstream.socket.close();
  }
  const faults = node.findings();
  if (faults.length) fail(`session fault (not a protocol violation): ${faults[0]!.message}`);
  if (clock.storm) failure = clock.storm;
  if (escaped.length) failure = escaped[0]!;
  return { failure, datagrams: net.delivered, sequences: sc.sequences.length };
}

const CAPS = Capability.PIECES | Capability.PEX | Capability.RELAY;

async function end(how: Sequence['end'], p: MemoryPeer, node: NodeUnderFuzz, net: MemoryNet): Promise<void> {
  if (how === 'goodbye' && p.connected) {
    const buf = p.encode(Math.min(U32, p.maxPn + 1), [
      { type: 'GOODBYE', code: ErrorCode.CLOSED, message: 'bye' },
    ]);
    if (buf) p.sendRaw(buf);
    p.gone = true;
  } else if (how === 'idle-out') {
    node.advance(node.node.endpoint.config.idleTimeoutMs + 1000);
  }
  await net.settle();
}

async function step(
  a: Action,
  p: MemoryPeer,
  node: NodeUnderFuzz,
  net: MemoryNet,
  newPeer: (host: string) => MemoryPeer,
): Promise<void> {
  switch (a.k) {
    case 'advance':
      node.advance(a.ms);
      return;
    case 'reconnect':
      // The same peer handshakes again (same address, same cid): a duplicate connection.
      if (p.address.host === '127.0.0.2') return;
      p.hello();
      return;
    case 'half-open': {
      // A handshake from a fresh port that never sends a DATA packet.
      const h = newPeer('127.0.0.99');
      h.hello();
      await net.settle();
      await h.socket.close();
      return;
    }
    case 'packet': {
      if (p.remoteCid === null) return;
      const pn = choosePn(p, a.pn);
      const frames: Frame[] = [];
      for (const c of a.frames) {
        const f = buildFrame(c, p, node);
        if (f) frames.push(f);
      }
      const ack = chooseAck(p, a.ack);
      let buf = p.encode(pn, frames, ack);
      if (buf === null && ack) buf = p.encode(pn, frames);
      if (buf === null) return;
      if (a.flip !== null && buf.length > 0) {
        buf = Buffer.from(buf);
        const at = a.flip % buf.length;
        buf[at] = buf[at]! ^ (1 + ((a.flip >>> 8) % 255));
      }
      p.notePn(pn);
      for (const f of frames) {
        if (f.type === 'SEGMENT_REQUEST' || f.type === 'PLAYLIST_REQUEST') {
          if (p.ownReqIds.length > 32) p.ownReqIds.shift();
          p.ownReqIds.push(f.reqId);
        }
      }
      p.sendRaw(buf);
      return;
    }
  }
}

function choosePn(p: MemoryPeer, c: PnChoice): number {
  const clamp = (n: number): number => Math.max(0, Math.min(U32, n));
  switch (c.mode) {
    case 'next':
      return clamp(p.maxPn + 1);
    case 'repeat':
      return clamp(p.lastPn);
    case 'back':
      return clamp(p.lastPn - c.by);
    case 'jump':
      return clamp(p.maxPn + c.by);
    case 'abs':
      return c.pn;
  }
}

function chooseAck(p: MemoryPeer, c: AckChoice): AckBlock | undefined {
  const seen = p.nodePns;
  const maxSeen = seen.length ? Math.max(...seen) : -1;
  switch (c.mode) {
    case 'none':
      return undefined;
    case 'seen': {
      if (seen.length === 0) return undefined;
      // What arrived, with up to `drop` of the newest left out (holes in the ranges).
      const have = new Set(seen);
      for (let i = 0; i < c.drop && i < seen.length; i++) have.delete(seen[seen.length - 1 - i]!);
      return have.size ? { delayUs: 0, ranges: toRanges([...have]) } : undefined;
    }
    case 'future':
      return { delayUs: 0, ranges: [[maxSeen + 1, Math.min(U32, maxSeen + c.span)]] };
    case 'forgotten':
      return { delayUs: 8, ranges: [[0, Math.max(0, Math.min(...(seen.length ? seen : [0])))]] };
    case 'all':
      return { delayUs: 0xffff * 8, ranges: [[0, Math.min(U32, Math.max(0, maxSeen) + c.extra)]] };
    case 'random':
      return { delayUs: 0, ranges: c.ranges };
  }
}

/** Descending, disjoint, non-adjacent ranges of a set of packet numbers. */
function toRanges(pns: number[]): AckRange[] {
  const sorted = [...new Set(pns)].sort((a, b) => b - a);
  const out: AckRange[] = [];
  for (const pn of sorted) {
    const last = out[out.length - 1];
    if (last && last[0] === pn + 1) last[0] = pn;
    else out.push([pn, pn]);
  }
  return out;
}

const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);

function tampered(entry: SegmentEntry, how: number): SegmentEntry {
  switch (how) {
    case 1:
      return { ...entry, seq: entry.seq + 100 };
    case 2:
      return { ...entry, size: entry.size + 1 };
    case 3:
      return { ...entry, signature: Buffer.alloc(64, 1) };
    case 4:
      return { ...entry, rendition: 1 };
    default:
      return entry;
  }
}

function buildFrame(c: FrameChoice, p: MemoryPeer, node: NodeUnderFuzz): Frame | null {
  const stream = signedStream();
  const all = [stream.init, ...stream.media];
  switch (c.kind) {
    case 'any':
      return c.frame;
    case 'answer-playlist': {
      const req = pick(
        p.nodeRequests.filter((r) => r.type === 'PLAYLIST_REQUEST'),
        c.pick,
      );
      const reqId = req?.reqId ?? c.pick >>> 0;
      const entries = all
        .slice(0, c.entries)
        .map((s) => (c.tamper ? tampered(s.entry, 1 + (c.pick % 4)) : s.entry));
      // STREAM_INFO and PLAYLIST in one frame list is not possible here: alternate by pick.
      if (c.pick % 3 === 0) return { type: 'STREAM_INFO', reqId, info: stream.info };
      return { type: 'PLAYLIST', reqId, part: Math.min(c.part, c.parts - 1), parts: c.parts, entries };
    }
    case 'fragment': {
      const req = pick(
        p.nodeRequests.filter((r) => r.type === 'SEGMENT_REQUEST'),
        c.pick,
      );
      const seg = req
        ? (all.find((s) => s.entry.seq === req.seq && !(s.entry.flags & 1)) ?? all[c.seg]!)
        : all[c.seg]!;
      const reqId = req?.reqId ?? c.pick >>> 0;
      const base = req?.range ? req.range.offset : 0;
      const trueTotal = req?.range ? req.range.length : seg.data.length;
      // Mostly inside the segment (overlapping earlier fragments, or not); boundary offsets
      // only with the largest declared size, where they still decode.
      const offset = c.total === 'max' ? c.offset : c.offset % (trueTotal + 64);
      const source = c.garbage
        ? Buffer.alloc(c.length, 0xee)
        : seg.data.subarray(base + offset, base + offset + c.length);
      const end = offset + source.length;
      const totalSize = {
        true: Math.max(trueTotal, end),
        // Contradicts the size the request and earlier fragments gave, yet decodes.
        smaller: Math.max(end, trueTotal - 1 - (c.pick % 1000)),
        larger: Math.max(end, trueTotal) + 1 + (c.pick % 100_000),
        // Past its own declared size: the codec drops the datagram (PROTOCOL §5.8).
        exceed: Math.max(0, end - 1),
        max: U32,
      }[c.total];
      const start = Math.min(offset, U32 - source.length);
      return { type: 'SEGMENT_DATA', reqId, offset: start, totalSize, data: Buffer.from(source) };
    }
    case 'not-available': {
      const req = pick(p.nodeRequests, c.pick);
      return { type: 'SEGMENT_NOT_AVAILABLE', reqId: req?.reqId ?? c.pick >>> 0, reason: c.reason };
    }
    case 'have': {
      const s = all[c.seg]!;
      return { type: 'HAVE', entry: tampered(s.entry, c.tamper) };
    }
    case 'piece-map': {
      const map = stream.media[c.seg]!.map!;
      return { type: 'PIECE_MAP', map: c.tamper ? { ...map, pieceSize: map.pieceSize + 1 } : map };
    }
    case 'piece-have': {
      const map = stream.media[c.seg]!.map!;
      const count = c.count === 0 ? map.hashes.length : c.count;
      const bitmap = Buffer.alloc((count + 7) >>> 3);
      for (let i = 0; i < bitmap.length; i++) bitmap[i] = (c.bits >>> (8 * (i % 3))) & 0xff;
      if (count % 8 !== 0) bitmap[bitmap.length - 1]! &= (0xff00 >>> (count % 8)) & 0xff;
      const f = { type: 'PIECE_HAVE' as const, rendition: 0, seq: map.entry.seq, count, bitmap };
      return c.offer ? { ...f, offer: true } : f;
    }
    case 'availability': {
      const bitmap = Buffer.alloc((c.count + 7) >>> 3, c.fill);
      if (c.count % 8 !== 0 && bitmap.length) bitmap[bitmap.length - 1]! &= (0xff00 >>> (c.count % 8)) & 0xff;
      return {
        type: 'AVAILABILITY',
        rendition: 0,
        baseSeq: Math.min(c.baseSeq, U32),
        count: c.count,
        bitmap,
      };
    }
    case 'request-absent': {
      const f: Frame = {
        type: 'SEGMENT_REQUEST',
        reqId: c.reqId,
        rendition: c.rendition,
        kind: c.init ? 'init' : 'media',
        seq: c.seq,
        deadlineMs: c.reqId % 2 ? U32 : c.reqId % 5000,
        priority: c.reqId & 0xff,
      };
      return c.range ? { ...f, range: c.range } : f;
    }
    case 'playlist-request':
      return { type: 'PLAYLIST_REQUEST', reqId: c.reqId, rendition: c.rendition, fromSeq: c.fromSeq };
    case 'cancel': {
      const reqId = pick(p.ownReqIds, c.pick) ?? c.pick >>> 0;
      return c.priority
        ? { type: 'PRIORITY', reqId, priority: c.pick & 0xff, deadlineMs: c.pick % 3 ? 0 : U32 }
        : { type: 'CANCEL', reqId };
    }
    case 'goodbye':
      return { type: 'GOODBYE', code: c.code, message: 'fuzz' };
    case 'pex': {
      if (c.respond === 0) return { type: 'PEX_REQUEST', max: c.max };
      const peers: PexPeer[] = [];
      for (let i = 0; i < c.respond; i++) {
        const host = c.weird
          ? ['224.0.0.1', '255.255.255.255', '0.0.0.0', '::', '127.0.0.1'][i % 5]!
          : `127.0.1.${i}`;
        const port = c.weird && i % 2 ? 0 : NODE_ADDRESS.port + (i % 3 === 0 ? 0 : 100 + i);
        peers.push({ host, port, nodeId: Buffer.alloc(8, i), flags: i & 0xff });
      }
      void node;
      return { type: 'PEX_RESPONSE', peers };
    }
    case 'offline': {
      const notice = stream.offline[c.which]!;
      return {
        type: 'OFFLINE',
        notice: c.tamper ? { ...notice, stoppedAtMs: notice.stoppedAtMs + 1 } : notice,
      };
    }
  }
}

/** For a local check of which choices the codec refuses. */
export const frameChoiceForDebug = {
  arb: frameChoice,
  build: (c: FrameChoice): Frame | null =>
    buildFrame(
      c,
      { nodeRequests: [], ownReqIds: [] } as unknown as MemoryPeer,
      null as unknown as NodeUnderFuzz,
    ),
};
