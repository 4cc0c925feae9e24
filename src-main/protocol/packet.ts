// Whole datagrams (PROTOCOL §3): header, optional ACK block, then a handshake body (§4) or
// a sequence of frames (§5). decodePacket is the one entry point for bytes from the
// socket: it returns a Packet or throws a ShoalError with code MALFORMED or
// UNSUPPORTED_VERSION, never anything else. Decoded byte fields are views into the
// datagram, not copies (node:dgram hands each datagram its own Buffer).

import { FRAME_HEADER_LENGTH, MIN_HELLO_DATAGRAM } from './constants.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { headerLength, readHeader, writeHeader } from './header.js';
import {
  helloBodyLength,
  readHelloBody,
  readRejectBody,
  readRetryBody,
  readWelcomeBody,
  rejectBodyLength,
  retryBodyLength,
  welcomeBodyLength,
  writeHelloBody,
  writeRejectBody,
  writeRetryBody,
  writeWelcomeBody,
} from './handshake.js';
import { PUNCH_BODY_LENGTH, readPunchBody, writePunchBody } from './punch-packet.js';
import { MAX_FRAME_BODY_LENGTH, encodedFrameLength, readFrames, writeFrame } from './frames/frame-codec.js';
import { SEGMENT_DATA_FIXED_LENGTH } from './frames/segment.js';
import type { Frame, Packet, PacketHeader } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

export function encodePacket(packet: Packet): Buffer {
  const h = packet.header;
  const hl = headerLength(h);
  let w: ByteWriter;
  switch (h.type) {
    case 'HELLO': {
      const body = (packet as Extract<Packet, { body: unknown; header: { type: 'HELLO' } }>).body;
      // PROTOCOL §4.1 — padded with zeros to at least MIN_HELLO_DATAGRAM (anti-amplification).
      w = ByteWriter.alloc(Math.max(MIN_HELLO_DATAGRAM, hl + helloBodyLength(body)));
      writeHeader(w, h, 'HELLO');
      w.buf[1] = body.maxVersion; // PROTOCOL §4.1: a HELLO's header version is the client's maxVersion
      writeHelloBody(w, body);
      w.zeros(w.buf.length - w.pos);
      return w.buf;
    }
    case 'RETRY': {
      const body = (packet as Extract<Packet, { header: { type: 'RETRY' } }>).body;
      w = ByteWriter.alloc(hl + retryBodyLength(body));
      writeHeader(w, h, 'RETRY');
      writeRetryBody(w, body);
      return w.buf;
    }
    case 'WELCOME': {
      const body = (packet as Extract<Packet, { header: { type: 'WELCOME' } }>).body;
      w = ByteWriter.alloc(hl + welcomeBodyLength(body));
      writeHeader(w, h, 'WELCOME');
      writeWelcomeBody(w, body);
      return w.buf;
    }
    case 'REJECT': {
      const body = (packet as Extract<Packet, { header: { type: 'REJECT' } }>).body;
      w = ByteWriter.alloc(hl + rejectBodyLength(body));
      writeHeader(w, h, 'REJECT');
      writeRejectBody(w, body);
      return w.buf;
    }
    case 'DATA':
      return encodeDataPacket(h, (packet as Extract<Packet, { header: { type: 'DATA' } }>).frames);
    case 'PUNCH': {
      const body = (packet as Extract<Packet, { header: { type: 'PUNCH' } }>).body;
      w = ByteWriter.alloc(hl + PUNCH_BODY_LENGTH);
      writeHeader(w, h, 'PUNCH');
      writePunchBody(w, body);
      return w.buf;
    }
  }
}

/**
 * The send path: a DATA datagram in one allocation with one copy of any segment data.
 * `header.type` is ignored (always DATA). If `minLength` is given, the datagram is padded
 * with a PADDING frame (PROTOCOL §5.1) up to that size (path MTU probes).
 */
export function encodeDataPacket(
  header: Omit<PacketHeader, 'type'>,
  frames: readonly Frame[],
  minLength = 0,
): Buffer {
  let length = headerLength(header);
  for (const f of frames) length += encodedFrameLength(f);
  const w = ByteWriter.alloc(Math.max(length, minLength));
  writeHeader(w, header, 'DATA');
  for (const f of frames) writeFrame(w, f);
  if (w.pos < w.buf.length) w.zeros(w.buf.length - w.pos);
  return w.buf;
}

/** Bytes of segment data that fit in one SEGMENT_DATA frame in a datagram of `maxDatagram` bytes with this header. */
export function maxSegmentDataPayload(maxDatagram: number, header: Omit<PacketHeader, 'type'>): number {
  const room = maxDatagram - headerLength(header) - FRAME_HEADER_LENGTH - SEGMENT_DATA_FIXED_LENGTH;
  return Math.max(0, Math.min(room, MAX_FRAME_BODY_LENGTH - SEGMENT_DATA_FIXED_LENGTH));
}

export function decodePacket(buf: Uint8Array): Packet {
  try {
    return decode(new ByteReader(buf));
  } catch (err) {
    // The decoders only throw ShoalErrors; anything else would be a bug, still reported as
    // bad input so that no datagram can crash the receive loop.
    if (err instanceof ShoalError) throw err;
    throw new ShoalError(ErrorCode.MALFORMED, `malformed datagram: ${String(err)}`, false, { cause: err });
  }
}

function decode(r: ByteReader): Packet {
  const header = readHeader(r);
  switch (header.type) {
    case 'HELLO':
      // PROTOCOL §4.1 — a short HELLO is dropped: it also makes every truncated HELLO fail.
      if (r.end < MIN_HELLO_DATAGRAM) throw ShoalError.malformed(`HELLO datagram of ${r.end} bytes`);
      return { header: header as PacketHeader & { type: 'HELLO' }, body: readHelloBody(r) };
    case 'RETRY':
      return { header: header as PacketHeader & { type: 'RETRY' }, body: readRetryBody(r) };
    case 'WELCOME':
      return { header: header as PacketHeader & { type: 'WELCOME' }, body: readWelcomeBody(r) };
    case 'REJECT':
      return { header: header as PacketHeader & { type: 'REJECT' }, body: readRejectBody(r) };
    case 'DATA': {
      const { frames, unknownFrames } = readFrames(r);
      return { header: header as PacketHeader & { type: 'DATA' }, frames, unknownFrames };
    }
    case 'PUNCH':
      return { header: header as PacketHeader & { type: 'PUNCH' }, body: readPunchBody(r) };
  }
}

/** Just the header of a datagram (e.g. to route by dcid before decoding the rest). */
export function decodeHeader(buf: Uint8Array): PacketHeader {
  return readHeader(new ByteReader(buf));
}
