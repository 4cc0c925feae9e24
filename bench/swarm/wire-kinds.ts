// What the lab's engines put on the wire, by kind: every outgoing datagram is classified
// (segment payload, the headers around it, ACK-only packets, handshakes, and each control
// frame type), so the report can say where the protocol overhead goes. Bench-only: the
// engine itself keeps no such ledger.

import { decodePacket } from '../../src-main/protocol/packet.js';
import { segmentDataLength } from '../../src-main/protocol/segment-data-packet.js';
import { encodedFrameLength } from '../../src-main/protocol/frames/frame-codec.js';
import type { Frame } from '../../src-main/protocol/types.js';

/**
 * Bytes by kind: 'payload', 'data headers', 'ack-only', 'handshake', 'control headers'
 * (header + ACK block of packets that carry frames), 'malformed' and frame type names;
 * datagrams by kind: 'fragment', 'ack-only', 'control', 'handshake', 'malformed'.
 */
export interface WireKinds {
  bytes: Record<string, number>;
  datagrams: Record<string, number>;
  /** Control frames sent, by the same kinds as their bytes. */
  frames: Record<string, number>;
}

export function emptyKinds(): WireKinds {
  return { bytes: {}, datagrams: {}, frames: {} };
}

export const PAYLOAD = 'payload';

function add(k: Record<string, number>, kind: string, n: number): void {
  k[kind] = (k[kind] ?? 0) + n;
}

/** PIECE_HAVE is split by purpose (PROTOCOL §5.15): an offer, a map notice (no piece), a digest. */
function frameKind(f: Frame): string {
  if (f.type !== 'PIECE_HAVE') return f.type;
  if (f.offer === true) return 'PIECE_HAVE offer';
  return f.bitmap.every((b) => b === 0) ? 'PIECE_HAVE map notice' : 'PIECE_HAVE digest';
}

/** Adds one outgoing datagram to `k` (never throws: an undecodable one is 'malformed'). */
export function classifyDatagram(w: WireKinds, d: Uint8Array): void {
  const k = w.bytes;
  // PROTOCOL §7.1 — the common case, a lone fragment without an ACK block, read in place.
  const payload = segmentDataLength(d);
  if (payload >= 0) {
    add(k, PAYLOAD, payload);
    add(k, 'data headers', d.length - payload);
    add(w.datagrams, 'fragment', 1);
    return;
  }
  let packet;
  try {
    packet = decodePacket(d);
  } catch {
    add(k, 'malformed', d.length);
    add(w.datagrams, 'malformed', 1);
    return;
  }
  if (!('frames' in packet)) {
    add(k, 'handshake', d.length);
    add(w.datagrams, 'handshake', 1);
    return;
  }
  const frames = packet.frames;
  if (frames.length === 0) {
    add(k, 'ack-only', d.length);
    add(w.datagrams, 'ack-only', 1);
    return;
  }
  let framed = 0;
  for (const f of frames) {
    const len = encodedFrameLength(f);
    framed += len;
    if (f.type === 'SEGMENT_DATA') {
      add(k, PAYLOAD, f.data.length);
      add(k, 'data headers', len - f.data.length);
    } else {
      const kind = frameKind(f);
      add(k, kind, len);
      add(w.frames, kind, 1);
    }
  }
  add(k, 'control headers', d.length - framed);
  add(w.datagrams, frames.length === 1 && frames[0]!.type === 'SEGMENT_DATA' ? 'fragment' : 'control', 1);
}

/** Sums several ledgers into a new one. */
export function sumKinds(all: Iterable<WireKinds>): WireKinds {
  const out = emptyKinds();
  for (const k of all) {
    for (const [kind, n] of Object.entries(k.bytes)) add(out.bytes, kind, n);
    for (const [kind, n] of Object.entries(k.datagrams)) add(out.datagrams, kind, n);
    for (const [kind, n] of Object.entries(k.frames ?? {})) add(out.frames, kind, n);
  }
  return out;
}
