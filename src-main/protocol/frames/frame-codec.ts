// Frames inside a DATA packet (PROTOCOL §5.1): `type u8 | length u16 | body[length]`,
// one after another to the end of the datagram. Unknown types are skipped by their length
// and counted; a type byte of 0x00 (PADDING) ends the list; a frame running past the end
// of the datagram makes the whole datagram MALFORMED (PROTOCOL §12).

import { FRAME_HEADER_LENGTH, FrameType, PADDING_FRAME_TYPE, type FrameTypeName } from '../constants.js';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import type { Frame } from '../types.js';
import { ShoalError } from '../../../src-shared/errors.js';
import type { FrameBodyCodec } from './frame-body.js';
import { availabilityFrames } from './availability.js';
import { livenessFrames } from './liveness.js';
import { offlineFrames } from './offline.js';
import { pathFrames } from './path.js';
import { pexFrames } from './pex.js';
import { pieceFrames } from './pieces.js';
import { punchFrames } from './punch.js';
import { playlistFrames } from './playlist.js';
import { segmentFrames } from './segment.js';

/** Largest body a frame can carry (its length field is a u16). */
export const MAX_FRAME_BODY_LENGTH = 0xffff;

const CODECS = {
  ...livenessFrames,
  ...playlistFrames,
  ...segmentFrames,
  ...availabilityFrames,
  ...pieceFrames,
  ...pathFrames,
  ...pexFrames,
  ...punchFrames,
  ...offlineFrames,
} satisfies { [K in FrameTypeName]: FrameBodyCodec<K> };

// Erases the per-type link between a frame and its codec: safe because CODECS is keyed by
// the frame's own `type` (checked by `satisfies` above).
function codecOf(type: FrameTypeName): FrameBodyCodec<FrameTypeName> {
  return CODECS[type] as unknown as FrameBodyCodec<FrameTypeName>;
}

/** Frame type id → codec; undefined for types this version does not know. */
const BY_ID: (FrameBodyCodec<FrameTypeName> | undefined)[] = new Array(256).fill(undefined);
for (const name of Object.keys(FrameType) as FrameTypeName[]) BY_ID[FrameType[name]] = codecOf(name);

/** Bytes `frame` takes on the wire, frame header included. */
export function encodedFrameLength(frame: Frame): number {
  return FRAME_HEADER_LENGTH + codecOf(frame.type).length(frame);
}

export function writeFrame(w: ByteWriter, frame: Frame): void {
  const codec = codecOf(frame.type);
  const length = codec.length(frame);
  if (length > MAX_FRAME_BODY_LENGTH) throw ShoalError.internal(`${frame.type} body of ${length} bytes`);
  w.u8(FrameType[frame.type]);
  w.u16(length);
  const end = w.pos + length;
  codec.write(w, frame);
  if (w.pos !== end)
    throw ShoalError.internal(`${frame.type} wrote ${w.pos - end + length} of ${length} bytes`);
}

/** One frame as its own buffer (tests, vectors, tools; the send path uses encodeDataPacket). */
export function encodeFrame(frame: Frame): Buffer {
  const w = ByteWriter.alloc(encodedFrameLength(frame));
  writeFrame(w, frame);
  return w.buf;
}

export interface DecodedFrames {
  frames: Frame[];
  /** Frames of types this version does not know, skipped (PROTOCOL §12). */
  unknownFrames: number;
}

/** Reads frames from the reader's position to its end. Byte fields are views into the datagram. */
export function readFrames(r: ByteReader): DecodedFrames {
  const frames: Frame[] = [];
  let unknownFrames = 0;
  const buf = r.buf;
  while (r.pos < r.end) {
    const typeId = buf[r.pos]!;
    if (typeId === PADDING_FRAME_TYPE) break;
    r.pos++;
    const length = r.u16('frame header');
    const start = r.pos;
    const end = start + length;
    if (end > r.end) throw ShoalError.truncated('frame');
    const codec = BY_ID[typeId];
    if (codec === undefined) unknownFrames++;
    else frames.push(codec.read(new ByteReader(buf, start, end)));
    r.pos = end;
  }
  r.pos = r.end;
  return { frames, unknownFrames };
}

/** Decodes a sequence of frames (a DATA packet's body). */
export function decodeFrames(body: Uint8Array): DecodedFrames {
  return readFrames(new ByteReader(body));
}

/** Decodes exactly one frame; anything else (none, several, unknown type) is MALFORMED. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const { frames, unknownFrames } = decodeFrames(bytes);
  if (frames.length !== 1 || unknownFrames !== 0) throw ShoalError.malformed('expected exactly one frame');
  return frames[0]!;
}
