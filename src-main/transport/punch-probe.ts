// PUNCH probes (PROTOCOL §4.9): built and recognised here for the endpoint's socket and
// for the extra sockets of birthday punching (punch-pool.ts).

import { PacketType, decodePacket, encodePacket, type Packet, type PunchBody } from '../protocol/index.js';
import { wireTimestamp } from './clock.js';

const ZERO_CID = new Uint8Array(8);

export function encodePunchProbe(
  token: Uint8Array,
  nodeId: Uint8Array,
  index: number,
  nowMs: number,
): Buffer {
  return encodePacket({
    header: {
      type: 'PUNCH',
      dcid: ZERO_CID,
      pn: index >>> 0,
      timestamp: wireTimestamp(nowMs),
      timestampDiff: 0,
    },
    body: { token, nodeId },
  });
}

/** The probe's body, or null when `data` is anything but a well-formed PUNCH packet. */
export function readPunchProbe(data: Uint8Array): PunchBody | null {
  if (data.length < 3 || data[2] !== PacketType.PUNCH) return null;
  try {
    const packet = decodePacket(data);
    return packet.header.type === 'PUNCH' ? (packet as Extract<Packet, { body: PunchBody }>).body : null;
  } catch {
    return null;
  }
}
