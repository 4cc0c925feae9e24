// How much of our upload one neighbour may take (PROTOCOL §13.5). Without this, one peer
// asking for the same segments over and over pulled 3.16 GB from honest nodes in 60 s.
//
// Each neighbour has a token bucket in bytes. It refills at the neighbour's share:
//   share = min(PEER_CEILING_STREAMS × bit rate, max(line / n, floor))
// where n is the number of neighbours asking us for data now (asked within COMPETING_MS),
// line is our upload cap or, with none, what a home line can be assumed to give
// (ASSUMED_LINE_BYTES_PER_SEC), and the floor (without a cap) is the stream's bit rate, so
// one neighbour can always watch from us. A viewer needs about the bit rate from all its
// holders together; four times it from one neighbour covers catching up after a stall.
// The bucket holds BURST_SEGMENTS segments, enough for a joining viewer's first ones.
// A request is served while the bucket is not in debt (so any one response fits), and its
// bytes are taken after; a neighbour in debt is answered OVERLOADED and asks others.

import type { PeerLink } from '../peer-link.js';

/** Most a neighbour may take from us, in multiples of the stream's bit rate. */
export const PEER_CEILING_STREAMS = 4;
/** Upload assumed when no cap is set: 20 Mbit/s, a common home line's upload. */
export const ASSUMED_LINE_BYTES_PER_SEC = 2_500_000;
/** Bucket depth, in segments of the stream. */
export const BURST_SEGMENTS = 4;
/** A neighbour that asked within this long competes for our upload. */
const COMPETING_MS = 2000;

interface Bucket {
  tokens: number;
  at: number;
  askedAt: number;
  /** Refilled at least this fast (a viewer the broadcaster serves alone, PROTOCOL §13.5). */
  floor: number;
}

/** What the shares depend on, read live (the cap and the stream's bit rate may change). */
export interface ShareInputs {
  now(): number;
  /** Our upload cap, bytes/s; null = none. */
  capBytesPerSec(): number | null;
  /** The stream's bit rate, bytes/s (its highest rendition). */
  streamBytesPerSec(): number;
  segmentDurationMs(): number;
}

export class UploadShares {
  private readonly buckets = new Map<PeerLink, Bucket>();

  constructor(private readonly inputs: ShareInputs) {}

  /** Bytes/s one of `competing` neighbours may take now. */
  shareBytesPerSec(competing: number): number {
    const stream = this.inputs.streamBytesPerSec();
    const cap = this.inputs.capBytesPerSec();
    const line = cap ?? ASSUMED_LINE_BYTES_PER_SEC;
    const floor = cap === null ? stream : 0;
    return Math.min(PEER_CEILING_STREAMS * stream, Math.max(line / Math.max(1, competing), floor));
  }

  /**
   * The neighbour asks for data: whether its share allows serving it now. Counts it as
   * competing either way. `floorBytesPerSec`: its bucket refills at least this fast (a
   * viewer the broadcaster serves alone, PROTOCOL §13.5).
   */
  allows(link: PeerLink, floorBytesPerSec = 0): boolean {
    const now = this.inputs.now();
    const bucket = this.bucket(link, now);
    bucket.askedAt = now;
    bucket.floor = floorBytesPerSec;
    this.refill(bucket, now);
    return bucket.tokens >= 0;
  }

  /** Bytes we send the neighbour (served, or promised in an offer): out of its share. */
  charge(link: PeerLink, bytes: number): void {
    const now = this.inputs.now();
    const bucket = this.bucket(link, now);
    this.refill(bucket, now);
    bucket.tokens -= bytes;
  }

  /** The neighbour left. */
  forget(link: PeerLink): void {
    this.buckets.delete(link);
  }

  private burst(): number {
    return (BURST_SEGMENTS * this.inputs.streamBytesPerSec() * this.inputs.segmentDurationMs()) / 1000;
  }

  private bucket(link: PeerLink, now: number): Bucket {
    let bucket = this.buckets.get(link);
    if (!bucket) {
      bucket = { tokens: this.burst(), at: now, askedAt: now, floor: 0 };
      this.buckets.set(link, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = now - bucket.at;
    bucket.at = now;
    if (elapsed <= 0) return;
    let competing = 0;
    for (const b of this.buckets.values()) if (now - b.askedAt < COMPETING_MS) competing++;
    const rate = Math.max(bucket.floor, this.shareBytesPerSec(competing));
    bucket.tokens = Math.min(this.burst(), bucket.tokens + (elapsed * rate) / 1000);
  }
}
