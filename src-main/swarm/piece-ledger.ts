// Pieces of the media segments this node is fetching (PROTOCOL §7.3): the verified piece
// maps it knows, and for the segments under way the pieces received so far. A piece is
// stored only after its SHA-256 matched the map, so anything held here may be relayed
// before the whole segment has arrived.

import { pieceMatches, pieceRange } from '../protocol/piece-map.js';
import type { ByteRange, PieceMap } from '../protocol/types.js';
import { segmentKey } from './keys.js';

export type PieceVerdict = 'stored' | 'duplicate' | 'mismatch';

/** One segment being assembled from pieces. */
export class PieceAssembly {
  private buffer: Uint8Array | null = null;
  private held = 0;
  private heldCount = 0;
  /** The mask last sent in a digest (see PieceOffers.digest). */
  digested = 0;

  constructor(readonly map: PieceMap) {}

  get pieceCount(): number {
    return this.map.hashes.length;
  }

  /** Bit i set = piece i held and verified. */
  get mask(): number {
    return this.held;
  }

  get complete(): boolean {
    return this.heldCount === this.pieceCount;
  }

  has(piece: number): boolean {
    return piece >= 0 && piece < this.pieceCount && ((this.held >>> piece) & 1) === 1;
  }

  /** PROTOCOL §6.3: a piece is checked against the map before it is stored. */
  accept(piece: number, bytes: Uint8Array): PieceVerdict {
    if (this.has(piece)) return 'duplicate';
    if (!pieceMatches(this.map, piece, bytes)) return 'mismatch';
    this.buffer ??= new Uint8Array(this.map.entry.size);
    this.buffer.set(bytes, pieceRange(this.map, piece).offset);
    this.held |= 1 << piece;
    this.heldCount += 1;
    return 'stored';
  }

  /** The whole segment, once every piece is in. */
  data(): Uint8Array | undefined {
    return this.complete ? (this.buffer ?? new Uint8Array(0)) : undefined;
  }

  /**
   * The bytes of `range` when every piece it touches is held (a held piece never changes,
   * so the view can be sent without a copy), else undefined.
   */
  slice(range: ByteRange): Uint8Array | undefined {
    const { pieceSize } = this.map;
    if (range.length <= 0 || range.offset + range.length > this.map.entry.size || !this.buffer)
      return undefined;
    const first = Math.floor(range.offset / pieceSize);
    const last = Math.floor((range.offset + range.length - 1) / pieceSize);
    for (let i = first; i <= last; i++) if (!this.has(i)) return undefined;
    return this.buffer.subarray(range.offset, range.offset + range.length);
  }

  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.pieceCount; i++) if (!this.has(i)) out.push(i);
    return out;
  }
}

/** Verified piece maps and the assemblies under way, bounded to the newest `limit` maps. */
export class PieceLedger {
  private readonly maps = new Map<string, PieceMap>();
  private readonly assemblies = new Map<string, PieceAssembly>();

  constructor(private readonly limit = 64) {}

  map(rendition: number, seq: number): PieceMap | undefined {
    return this.maps.get(segmentKey(rendition, seq));
  }

  /** Adds a map whose signatures the caller verified; false if it was known already. */
  addMap(map: PieceMap): boolean {
    const key = segmentKey(map.entry.rendition, map.entry.seq);
    if (this.maps.has(key)) return false;
    this.maps.set(key, map);
    while (this.maps.size > this.limit) {
      const oldest = this.maps.keys().next().value!;
      this.maps.delete(oldest);
      this.assemblies.delete(oldest);
    }
    return true;
  }

  assembly(rendition: number, seq: number): PieceAssembly | undefined {
    return this.assemblies.get(segmentKey(rendition, seq));
  }

  /** The assembly of a segment whose map is known (created on first use). */
  open(rendition: number, seq: number): PieceAssembly | undefined {
    const key = segmentKey(rendition, seq);
    let assembly = this.assemblies.get(key);
    if (assembly) return assembly;
    const map = this.maps.get(key);
    if (!map) return undefined;
    assembly = new PieceAssembly(map);
    this.assemblies.set(key, assembly);
    return assembly;
  }

  /** The segment is complete (handed to the store) or no longer wanted. */
  close(rendition: number, seq: number): void {
    this.assemblies.delete(segmentKey(rendition, seq));
  }

  /** The assemblies under way, oldest first. */
  underWay(): IterableIterator<PieceAssembly> {
    return this.assemblies.values();
  }

  /** Assemblies under way (for stats and tests). */
  get openCount(): number {
    return this.assemblies.size;
  }
}
