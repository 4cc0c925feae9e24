// Public API of the wire codec (PROTOCOL §3–§6). Other layers import from here only.

export * from './constants.js';
export type * from './types.js';

export { ByteReader } from './byte-reader.js';
export { ByteWriter } from './byte-writer.js';
// The header, its ACK block, and the ACK-only packets read and written in place.
export * from './header.js';
export {
  ACK_BLOCK_FIXED_LENGTH,
  ACK_RANGE_LENGTH,
  ackBlockLength,
  ackDelayToWire,
  encodableAckRangeCount,
  fitAckRanges,
} from './ack-ranges.js';
export { AddressFamily, addressLength, formatIPv6, ipv6Bytes, readAddress, writeAddress } from './address.js';
export {
  decodeHeader,
  decodePacket,
  encodeDataPacket,
  encodePacket,
  maxSegmentDataPayload,
} from './packet.js';
export {
  MAX_FRAME_BODY_LENGTH,
  decodeFrame,
  decodeFrames,
  encodeFrame,
  encodedFrameLength,
  readFrames,
  writeFrame,
  type DecodedFrames,
} from './frames/frame-codec.js';
export { SEGMENT_DATA_FIXED_LENGTH } from './frames/segment.js';
export {
  SegmentDataPacket,
  segmentDataLength,
  u32At,
  writeSegmentDataPacket,
} from './segment-data-packet.js';
export {
  SEGMENT_ENTRY_SIGNED_LENGTH,
  decodeSegmentEntry,
  decodeStreamInfo,
  encodeSegmentEntry,
  encodeStreamInfo,
  pieceMapLength,
  pieceMapSignedBytes,
  readPieceMap,
  readSegmentEntry,
  readStreamInfo,
  segmentEntrySignedBytes,
  streamInfoLength,
  streamInfoSignedBytes,
  writePieceMap,
  writeSegmentEntry,
  writeStreamInfo,
  type UnsignedPieceMap,
  type UnsignedSegmentEntry,
  type UnsignedStreamInfo,
} from './records.js';
export {
  choosePieceSize,
  pieceCount,
  pieceMatches,
  pieceRange,
  signPieceMap,
  verifyPieceMap,
} from './piece-map.js';
export {
  exportPrivateKeyPkcs8,
  exportPrivateKeySeed,
  generateStreamKeys,
  importPrivateKeyPkcs8,
  publicKeyFromStreamId,
  rawPublicKey,
  segmentMatchesEntry,
  signEntry,
  signStreamInfo,
  streamKeysFromSeed,
  verifyEntry,
  verifyStreamInfo,
  type StreamKeys,
} from './signing.js';
export {
  MAX_AVAILABILITY_COUNT,
  bitmapHas,
  bitmapToSeqs,
  seqsToBitmap,
  type AvailabilityWindow,
} from './availability-bitmap.js';
export { utf8Truncated } from './utf8.js';
