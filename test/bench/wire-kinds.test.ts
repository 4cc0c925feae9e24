// The lab's wire ledger (bench/swarm/wire-kinds.ts): real encoded datagrams of each kind
// land in the right bucket, and every byte is counted exactly once.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyDatagram, emptyKinds, sumKinds, type WireKinds } from '../../bench/swarm/wire-kinds.js';
import { encodeDataPacket } from '../../src-main/protocol/packet.js';
import { writeAckOnlyPacket } from '../../src-main/protocol/header.js';
import { writeSegmentDataPacket } from '../../src-main/protocol/segment-data-packet.js';

const dcid = randomBytes(8);
const total = (k: WireKinds): number => Object.values(k.bytes).reduce((a, b) => a + b, 0);

describe('wire kinds', () => {
  it('splits a fragment into payload and headers', () => {
    const segment = randomBytes(5000);
    const buf = Buffer.alloc(1200);
    const size = writeSegmentDataPacket(buf, dcid, 7, 0, 0, 3, segment, 1000, 1100);
    const w = emptyKinds();
    classifyDatagram(w, buf.subarray(0, size));
    expect(w.bytes.payload).toBe(1100);
    expect(w.bytes['data headers']).toBe(size - 1100);
    expect(w.datagrams).toEqual({ fragment: 1 });
  });

  it('counts ACK-only packets, control frames by type, handshakes and garbage', () => {
    const w = emptyKinds();
    const k = w.bytes;
    const ack = Buffer.alloc(200);
    const ackSize = writeAckOnlyPacket(ack, dcid, 8, 0, 0, { delayUs: 0, ranges: [[1, 7]] });
    classifyDatagram(w, ack.subarray(0, ackSize));
    expect(k['ack-only']).toBe(ackSize);

    const control = encodeDataPacket({ dcid, pn: 9, timestamp: 0, timestampDiff: 0 }, [
      { type: 'PING', nonce: 1 },
      { type: 'CANCEL', reqId: 4 },
      { type: 'CANCEL', reqId: 5 },
    ]);
    classifyDatagram(w, control);
    expect(k.PING).toBeGreaterThan(3);
    expect(k.CANCEL! % 2).toBe(0);
    expect(k['control headers']).toBe(control.length - k.PING! - k.CANCEL!);

    classifyDatagram(w, randomBytes(40));
    expect(k.malformed).toBe(40);
    expect(total(w)).toBe(ackSize + control.length + 40);
    expect(w.datagrams).toEqual({ 'ack-only': 1, control: 1, malformed: 1 });
    expect(w.frames).toEqual({ PING: 1, CANCEL: 2 });
    expect(total(sumKinds([w, w]))).toBe(2 * total(w));
  });
});
