// The shape every frame family file exports (PROTOCOL §5): one codec per frame type with
// the body's exact length, its writer and its reader. The 3-byte frame header
// (type u8, length u16) is handled once, in frame-codec.ts.

import type { FrameTypeName } from '../constants.js';
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import type { FrameOf } from '../types.js';

export interface FrameBodyCodec<T extends FrameTypeName> {
  /** Exact number of body bytes `write` produces. */
  length(frame: FrameOf<T>): number;
  write(w: ByteWriter, frame: FrameOf<T>): void;
  /** Reads the body from a reader bounded to the frame; bytes left over are ignored (PROTOCOL §12). */
  read(r: ByteReader): FrameOf<T>;
}

export type FrameBodyCodecs<T extends FrameTypeName> = { [K in T]: FrameBodyCodec<K> };
