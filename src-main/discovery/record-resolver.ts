// The viewer's side of PROTOCOL §15.1: finds the broadcaster's BEP 44 record and reports
// every newer one. It looks at once, then again every few seconds while the viewer needs it
// (no record yet, or the broadcaster is unreachable: it may have moved), and otherwise now
// and then. bittorrent-dht checks each item's signature (our verify) and that it hashes to
// the target, so a record found here was signed with the stream key.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { decodeDhtRecord, dhtRecordTarget, type DhtRecord } from '../protocol/dht-record.js';
import type { DhtNode } from './dht-node.js';
import { PacedLoop } from './paced-loop.js';

/** Between lookups while the record is needed (a lookup itself takes a few round trips). */
export const RESOLVE_RETRY_MS = 3000;
/** Between lookups while all is well. */
export const RESOLVE_IDLE_MS = 120_000;

export interface RecordResolverOptions {
  dht: DhtNode;
  streamId: Uint8Array;
  /** Time between lookups now: RESOLVE_RETRY_MS while the viewer needs the record (none yet, or the broadcaster went quiet). */
  retryMs?: () => number;
  now: () => number;
}

export type ResolverEvents = {
  found: { record: DhtRecord; seq: number };
  /** A lookup ended without a record (`code` STREAM_NOT_FOUND) or failed. */
  missed: ShoalError;
};

export class RecordResolver extends TypedEmitter<ResolverEvents> {
  private readonly target: Buffer;
  private readonly loop: PacedLoop;
  private seq = -1;
  lookups = 0;

  constructor(private readonly options: RecordResolverOptions) {
    super();
    this.target = dhtRecordTarget(options.streamId);
    this.loop = new PacedLoop({
      now: options.now,
      waitMs: () => options.retryMs?.() ?? (this.found ? RESOLVE_IDLE_MS : RESOLVE_RETRY_MS),
      run: () => this.lookup(),
      checkEveryMs: 500,
    });
  }

  get found(): boolean {
    return this.seq >= 0;
  }

  start(): void {
    this.loop.start();
  }

  private async lookup(): Promise<void> {
    this.lookups += 1;
    let item;
    try {
      item = await this.options.dht.getRecord(this.target);
    } catch (err) {
      if (!this.loop.destroyed) this.emit('missed', ShoalError.from(err, ErrorCode.NO_PEERS));
      return;
    }
    if (this.loop.destroyed) return;
    if (!item) {
      this.emit('missed', new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'not found on the DHT yet'));
      return;
    }
    if (Buffer.compare(Buffer.from(item.k), Buffer.from(this.options.streamId)) !== 0) return;
    if (item.seq <= this.seq) return;
    let record: DhtRecord;
    try {
      record = decodeDhtRecord(item.v);
    } catch (err) {
      const why = (err as Error).message;
      this.emit('missed', ShoalError.malformed(`the stream's DHT record is unusable: ${why}`));
      return;
    }
    this.seq = item.seq;
    this.emit('found', { record, seq: item.seq });
  }

  destroy(): void {
    this.loop.destroy();
  }
}
