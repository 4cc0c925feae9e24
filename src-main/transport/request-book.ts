// Requester side (PROTOCOL §7.2, §8.4): outstanding segment and playlist requests of one
// session, their deadlines, and reassembly of the answers. Every failure is a typed
// ShoalError so the caller can ask another peer at once.

import type { ByteRange, Frame, FrameOf, SegmentEntry, SegmentKind, StreamInfo } from '../protocol/types.js';
import { ShoalError } from '../../src-shared/errors.js';
import type { Clock, TimerHandle } from './clock.js';
import { admitSegmentSize, SegmentAssembly, type MemoryBudget } from './reassembly.js';
import type { SegmentBufferPool } from './segment-buffer-pool.js';
import { TransportError } from './transport-errors.js';

/** PROTOCOL §5 — deadlineMs value meaning "no deadline". */
export const NO_DEADLINE = 0xffffffff;
const NOT_AVAILABLE_REASONS = ['unknown', 'not yet', 'evicted', 'choked', 'overloaded'];

export interface SegmentRequestOptions {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  /** From the signed entry; a different totalSize from the peer fails the request (TOO_LARGE). */
  expectedSize?: number;
  /** ms from now until the data is needed; undefined or Infinity = no deadline. */
  deadlineMs?: number;
  /** 0 = most urgent. */
  priority?: number;
  /**
   * Only these bytes of the segment (PROTOCOL §5.7 range extension; the peer must have
   * announced PIECES). The answer is those bytes alone: `expectedSize` is the range length.
   */
  range?: ByteRange;
}

export interface SegmentRequestHandle {
  reqId: number;
  done: Promise<Buffer>;
  cancel(): void;
  /** Bytes of the segment received so far (progress, for deciding whether to ask elsewhere). */
  received(): number;
}

export interface PlaylistResult {
  info: StreamInfo;
  entries: SegmentEntry[];
}

export interface RequestBookHost {
  clock: Clock;
  budget: MemoryBudget;
  /** Where reassembly buffers come from, and go back to when a request fails. */
  pool: SegmentBufferPool;
  maxPending: number;
  sendControl(frame: Frame): void;
}

interface Pending {
  settle(err: ShoalError | null): void;
}

interface PendingSegment extends Pending {
  expectedSize: number | undefined;
  assembly: SegmentAssembly | null;
  resolve(data: Buffer): void;
}

interface PendingPlaylist extends Pending {
  info: StreamInfo | null;
  parts: (SegmentEntry[] | undefined)[] | null;
  partsReceived: number;
  resolve(result: PlaylistResult): void;
}

export interface RequestStats {
  segmentsRequested: number;
  segmentsReceived: number;
  /** SEGMENT_DATA for reqIds not outstanding (late, cancelled or invented). */
  unknownData: number;
  duplicateFragments: number;
  /** Overlapping or out-of-range fragments (a misbehaving peer). */
  rejectedFragments: number;
  payloadBytesReceived: number;
}

export class RequestBook {
  private nextReqId = 1;
  private readonly segments = new Map<number, PendingSegment>();
  private readonly playlists = new Map<number, PendingPlaylist>();
  private closedWith: ShoalError | null = null;
  readonly stats: RequestStats = {
    segmentsRequested: 0,
    segmentsReceived: 0,
    unknownData: 0,
    duplicateFragments: 0,
    rejectedFragments: 0,
    payloadBytesReceived: 0,
  };

  constructor(private readonly host: RequestBookHost) {}

  get pendingCount(): number {
    return this.segments.size + this.playlists.size;
  }

  private takeReqId(): number {
    const id = this.nextReqId;
    this.nextReqId = this.nextReqId >= 0xfffffffe ? 1 : this.nextReqId + 1;
    return id;
  }

  /** Why a new request cannot start, or null. */
  private refusal(): ShoalError | null {
    if (this.closedWith) return this.closedWith;
    if (this.pendingCount >= this.host.maxPending) {
      return ShoalError.resourceLimit(`${this.pendingCount} requests already pending on this peer`);
    }
    return null;
  }

  requestSegment(opts: SegmentRequestOptions): SegmentRequestHandle {
    const reqId = this.takeReqId();
    const what = `segment ${opts.kind} ${opts.rendition}/${opts.seq}`;
    const refused = this.refusal();
    if (refused)
      return { reqId, done: handled(Promise.reject(refused)), cancel: () => {}, received: () => 0 };
    const { clock } = this.host;
    const deadlineMs = toWireDeadline(opts.deadlineMs);
    let timer: TimerHandle | null = null;
    let resolveFn!: (b: Buffer) => void;
    let rejectFn!: (e: ShoalError) => void;
    const done = handled(
      new Promise<Buffer>((res, rej) => {
        resolveFn = res;
        rejectFn = rej;
      }),
    );
    const pending: PendingSegment = {
      expectedSize: opts.expectedSize,
      assembly: null,
      resolve: (data) => {
        cleanup();
        resolveFn(data);
      },
      settle: (err) => {
        // Failed: nobody will see the partly filled buffer, it can serve another request.
        if (pending.assembly !== null) this.host.pool.give(pending.assembly.buffer);
        cleanup();
        if (err) rejectFn(err);
      },
    };
    const cleanup = (): void => {
      if (timer !== null) clock.clearTimeout(timer);
      pending.assembly?.release();
      pending.assembly = null;
      this.segments.delete(reqId);
    };
    this.segments.set(reqId, pending);
    this.stats.segmentsRequested++;
    if (deadlineMs !== NO_DEADLINE) {
      timer = clock.setTimeout(() => this.fail(reqId, ShoalError.deadline(what), true), deadlineMs);
    }
    this.host.sendControl({
      type: 'SEGMENT_REQUEST',
      reqId,
      rendition: opts.rendition,
      kind: opts.kind,
      seq: opts.seq,
      deadlineMs,
      priority: clampU8(opts.priority ?? 0),
      ...(opts.range ? { range: opts.range } : {}),
    });
    return {
      reqId,
      done,
      cancel: () => this.fail(reqId, TransportError.cancelled(what), true),
      received: () => pending.assembly?.received ?? 0,
    };
  }

  requestPlaylist(rendition: number, fromSeq: number, timeoutMs: number): Promise<PlaylistResult> {
    const refused = this.refusal();
    if (refused) return handled(Promise.reject(refused));
    const reqId = this.takeReqId();
    const { clock } = this.host;
    return handled(
      new Promise<PlaylistResult>((resolve, reject) => {
        const cleanup = (): void => {
          clock.clearTimeout(timer);
          this.playlists.delete(reqId);
        };
        const timer = clock.setTimeout(
          () => this.fail(reqId, ShoalError.deadline(`playlist ${rendition}`), true),
          timeoutMs,
        );
        this.playlists.set(reqId, {
          info: null,
          parts: null,
          partsReceived: 0,
          resolve: (r) => {
            cleanup();
            resolve(r);
          },
          settle: (err) => {
            cleanup();
            if (err) reject(err);
          },
        });
        this.host.sendControl({ type: 'PLAYLIST_REQUEST', reqId, rendition, fromSeq });
      }),
    );
  }

  /** Fails one request; `tellPeer` sends CANCEL so the peer stops sending. */
  private fail(reqId: number, err: ShoalError, tellPeer: boolean): void {
    const p = this.segments.get(reqId) ?? this.playlists.get(reqId);
    if (p === undefined) return;
    p.settle(err);
    if (tellPeer && !this.closedWith) this.host.sendControl({ type: 'CANCEL', reqId });
  }

  onSegmentData(f: FrameOf<'SEGMENT_DATA'>): void {
    this.onSegmentBytes(f.reqId, f.offset, f.totalSize, f.data, 0, f.data.length);
  }

  /** A SEGMENT_DATA frame whose data is `src[start, end)` (the bulk path reads it in place). */
  onSegmentBytes(
    reqId: number,
    offset: number,
    totalSize: number,
    src: Uint8Array,
    start: number,
    end: number,
  ): void {
    const p = this.segments.get(reqId);
    if (p === undefined) {
      this.stats.unknownData++;
      return;
    }
    if (p.assembly === null) {
      const verdict = admitSegmentSize(totalSize, p.expectedSize, this.host.budget);
      if (verdict !== 'ok') {
        this.fail(reqId, sizeError(verdict, totalSize, p.expectedSize), true);
        return;
      }
      p.assembly = new SegmentAssembly(totalSize, this.host.budget, this.host.pool);
    }
    const verdict = p.assembly.addFrom(offset, totalSize, src, start, end);
    switch (verdict) {
      case 'added':
        this.stats.payloadBytesReceived += end - start;
        return;
      case 'complete': {
        this.stats.payloadBytesReceived += end - start;
        this.stats.segmentsReceived++;
        const data = p.assembly.buffer;
        p.resolve(data);
        return;
      }
      case 'duplicate':
        this.stats.duplicateFragments++;
        return;
      case 'size-mismatch':
        this.fail(reqId, TransportError.protocolViolation(`totalSize changed to ${totalSize}`), true);
        return;
      default:
        this.stats.rejectedFragments++;
    }
  }

  onNotAvailable(f: FrameOf<'SEGMENT_NOT_AVAILABLE'>): void {
    const reason = NOT_AVAILABLE_REASONS[f.reason] ?? `reason ${f.reason}`;
    this.fail(f.reqId, TransportError.notAvailable(`request ${f.reqId}: ${reason}`, f.reason), false);
  }

  onStreamInfo(f: FrameOf<'STREAM_INFO'>): void {
    const p = this.playlists.get(f.reqId);
    if (p === undefined) return;
    p.info = f.info;
    this.maybeCompletePlaylist(p);
  }

  onPlaylist(f: FrameOf<'PLAYLIST'>): void {
    const p = this.playlists.get(f.reqId);
    if (p === undefined) return;
    if (f.parts === 0 || f.part >= f.parts || (p.parts !== null && p.parts.length !== f.parts)) {
      this.fail(f.reqId, TransportError.protocolViolation(`PLAYLIST part ${f.part}/${f.parts}`), true);
      return;
    }
    p.parts ??= new Array<SegmentEntry[] | undefined>(f.parts).fill(undefined);
    if (p.parts[f.part] !== undefined) return;
    p.parts[f.part] = f.entries;
    p.partsReceived++;
    this.maybeCompletePlaylist(p);
  }

  private maybeCompletePlaylist(p: PendingPlaylist): void {
    if (p.info === null || p.parts === null || p.partsReceived < p.parts.length) return;
    p.resolve({ info: p.info, entries: p.parts.flatMap((e) => e ?? []) });
  }

  /** The session ended: every pending request fails at once with the session's reason. */
  failAll(reason: ShoalError): void {
    this.closedWith = reason;
    for (const p of [...this.segments.values(), ...this.playlists.values()]) p.settle(reason);
  }
}

function sizeError(verdict: string, totalSize: number, expected: number | undefined): ShoalError {
  switch (verdict) {
    case 'too-large':
      return TransportError.tooLarge(`peer announced a ${totalSize}-byte segment`);
    case 'unexpected-size':
      return TransportError.tooLarge(`peer announced ${totalSize} bytes, the entry says ${expected}`);
    default:
      return ShoalError.resourceLimit(`no reassembly memory for a ${totalSize}-byte segment`);
  }
}

function toWireDeadline(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms) || ms >= NO_DEADLINE) return NO_DEADLINE;
  return Math.max(0, Math.floor(ms));
}

function clampU8(v: number): number {
  return Math.min(255, Math.max(0, Math.floor(v)));
}

/** Rejections the caller never awaits must not become unhandled-rejection crashes. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
