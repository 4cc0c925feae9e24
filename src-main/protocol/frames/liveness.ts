// Liveness frames: PING, PONG, GOODBYE, ERROR (PROTOCOL §5.2, §5.3).

import { MAX_MESSAGE_LENGTH } from '../constants.js';
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { utf8Truncated, utf8TruncatedLength } from '../utf8.js';
import type { FrameBodyCodecs } from './frame-body.js';

type CodeMessage = { code: number; message: string };

// GOODBYE and ERROR share a body: code u16, messageLength u8, message.
const codeMessage = {
  length: (f: CodeMessage) => 2 + 1 + utf8TruncatedLength(f.message, MAX_MESSAGE_LENGTH),
  write(w: ByteWriter, f: CodeMessage) {
    const message = utf8Truncated(f.message, MAX_MESSAGE_LENGTH);
    w.u16(f.code);
    w.u8(message.length);
    w.bytes(message);
  },
  read(r: ByteReader): CodeMessage {
    const code = r.u16('code');
    return { code, message: r.utf8(r.u8('message length'), 'message') };
  },
};

export const livenessFrames: FrameBodyCodecs<'PING' | 'PONG' | 'GOODBYE' | 'ERROR'> = {
  // §5.2 PING / PONG: nonce u32.
  PING: {
    length: () => 4,
    write: (w, f) => w.u32(f.nonce),
    read: (r) => ({ type: 'PING', nonce: r.u32('PING') }),
  },
  PONG: {
    length: () => 4,
    write: (w, f) => w.u32(f.nonce),
    read: (r) => ({ type: 'PONG', nonce: r.u32('PONG') }),
  },
  // §5.3 GOODBYE / ERROR
  GOODBYE: { ...codeMessage, read: (r) => ({ type: 'GOODBYE', ...codeMessage.read(r) }) },
  ERROR: { ...codeMessage, read: (r) => ({ type: 'ERROR', ...codeMessage.read(r) }) },
};
