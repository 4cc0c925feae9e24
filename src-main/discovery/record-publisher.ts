// The broadcaster's side of PROTOCOL §15.1–§15.2: keeps its BEP 44 record on the DHT.
// It publishes at start, again whenever its endpoints change (checked every few seconds, so
// a new IP is on the DHT within seconds), and every REPUBLISH_MS so the record never ages
// out of the nodes that store it (BEP 44 lets them drop items after 2 hours). A failed put
// is retried with back-off. seq is the wall clock in ms (at least one more than the last),
// so a restarted broadcaster never goes backwards without having to remember anything.

import type { KeyObject } from 'node:crypto';
import { ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { dhtRecordOf, encodeDhtRecord } from '../protocol/dht-record.js';
import type { PeerAddress } from '../protocol/types.js';
import type { DhtNode } from './dht-node.js';

export const REPUBLISH_MS = 30 * 60_000;
const CHECK_MS = 3000;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60_000;

export interface RecordPublisherOptions {
  dht: DhtNode;
  streamId: Uint8Array;
  privateKey: KeyObject;
  nodeId: Uint8Array;
  /** Where the broadcaster can be reached now, best first (read at every check). */
  endpoints: () => PeerAddress[];
  /** Wall clock, ms since the epoch (seq source). */
  wallClock?: () => number;
  checkMs?: number;
}

export type PublisherEvents = {
  published: { seq: number; storedBy: number; endpoints: PeerAddress[] };
  error: ShoalError;
};

export class RecordPublisher extends TypedEmitter<PublisherEvents> {
  private lastSeq = 0;
  private lastKey = '';
  private lastAt = -Infinity;
  private retryAt = 0;
  private failures = 0;
  private busy = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private destroyed = false;
  /** Set once a put was stored by at least one node. */
  published = false;

  constructor(private readonly options: RecordPublisherOptions) {
    super();
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.checkMs ?? CHECK_MS);
    this.timer.unref?.();
    void this.check();
  }

  /** Publishes now if the endpoints changed, the record is due, or a retry is due. */
  async check(): Promise<void> {
    if (this.busy || this.destroyed) return;
    const endpoints = this.options.endpoints();
    if (endpoints.length === 0) return;
    const key = endpoints.map((e) => `${e.host}|${e.port}`).join(',');
    const now = this.wallClock();
    // After a failed put, only the back-off decides (the endpoints may have changed meanwhile).
    if (this.failures > 0) {
      if (now < this.retryAt) return;
    } else if (key === this.lastKey && now - this.lastAt < REPUBLISH_MS) return;
    await this.publish(endpoints, key);
  }

  private async publish(endpoints: PeerAddress[], key: string): Promise<void> {
    const { dht, streamId, privateKey, nodeId } = this.options;
    this.busy = true;
    const seq = Math.max(this.lastSeq + 1, Math.floor(this.wallClock()));
    this.lastSeq = seq;
    try {
      const value = encodeDhtRecord(dhtRecordOf(endpoints, nodeId));
      const storedBy = await dht.putRecord({ streamId, privateKey, value, seq });
      if (this.destroyed) return;
      this.lastKey = key;
      this.lastAt = this.wallClock();
      this.failures = 0;
      this.published = true;
      this.emit('published', { seq, storedBy, endpoints });
    } catch (err) {
      if (this.destroyed) return;
      this.failures += 1;
      this.retryAt = this.wallClock() + Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
      this.emit('error', ShoalError.from(err));
    } finally {
      this.busy = false;
    }
  }

  private wallClock(): number {
    return (this.options.wallClock ?? Date.now)();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearInterval(this.timer);
  }
}
