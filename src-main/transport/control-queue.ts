// The control frames of one session (PROTOCOL §8.6, §13.4): the queue, the frames of lost
// packets waiting to be resent, the control window, and the budget of frames held for the
// peer (queued, waiting to be resent, or in a packet not yet acknowledged), per session and
// per node. A peer that asks for answers and never acknowledges them fills the budget; the
// connection then closes the session.

import { encodedFrameLength, type Frame } from '../protocol/index.js';
import type { TransportConfig } from './config.js';

/** Control frames held by all sessions of an endpoint, and their encoded bytes. */
export interface ControlTotals {
  frames: number;
  bytes: number;
}

export class ControlQueue {
  private readonly queue: Frame[] = [];
  /** Frames of packets just declared lost, to be resent ahead of the queue (requeueLost). */
  private readonly lost: Frame[] = [];
  /** The last CHOKE/UNCHOKE queued: an older one is superseded, never resent. */
  private lastChoke: Frame | null = null;
  private frames = 0;
  private bytes = 0;
  /** Bytes of control packets in flight; at controlWindowBytes new packets wait. */
  private inFlight = 0;
  /** A probe timeout fired: the next control packet goes even with the window full. */
  private probeOwed = false;

  constructor(
    private readonly config: TransportConfig,
    private readonly totals: ControlTotals,
  ) {}

  /** Queues a frame; returns why not when over a budget (the caller closes the session). */
  add(frame: Frame): string | null {
    const over = this.hold(frame);
    if (over !== null) return over;
    if (frame.type === 'CHOKE' || frame.type === 'UNCHOKE') this.lastChoke = frame;
    this.queue.push(frame);
    return null;
  }

  /** A probe (PROTOCOL §8.5): first in the queue, and sent even when the window is full. */
  addProbe(frame: Frame): string | null {
    const over = this.hold(frame);
    if (over !== null) return over;
    this.queue.unshift(frame);
    this.probeOwed = true;
    return null;
  }

  /** Frames wait, and the window has room or a probe is owed. */
  get sendable(): boolean {
    return this.queue.length > 0 && (this.inFlight < this.config.controlWindowBytes || this.probeOwed);
  }

  /** The oldest frames that fit in `room` bytes, or null; one that fits no packet is dropped. */
  take(room: number): Frame[] | null {
    let frames: Frame[] | null = null;
    while (this.queue.length > 0) {
      const length = encodedFrameLength(this.queue[0]!);
      if (length > room) {
        if (frames !== null) break;
        // Cannot fit any datagram: a caller bug; dropping beats looping forever.
        this.release(this.queue.shift()!);
        continue;
      }
      (frames ??= []).push(this.queue.shift()!);
      room -= length;
    }
    return frames;
  }

  /** A packet of `size` bytes carrying frames from take() went out. */
  onSent(size: number): void {
    this.inFlight += size;
    this.probeOwed = false;
  }

  onAcked(frames: readonly Frame[], size: number): void {
    this.inFlight -= size;
    for (const f of frames) this.release(f);
  }

  /** PROTOCOL §8.6 — what is resent: not PING/PONG, nor a superseded CHOKE/UNCHOKE. */
  onLost(frames: readonly Frame[], size: number): void {
    this.inFlight -= size;
    for (const f of frames) {
      const superseded = (f.type === 'CHOKE' || f.type === 'UNCHOKE') && f !== this.lastChoke;
      if (f.type === 'PING' || f.type === 'PONG' || superseded) this.release(f);
      else this.lost.push(f);
    }
  }

  /** Lost frames go before new ones (they are older); returns how many. */
  requeueLost(): number {
    const n = this.lost.length;
    if (n > 0) {
      this.queue.unshift(...this.lost);
      this.lost.length = 0;
    }
    return n;
  }

  /** Frames held (queued, to be resent or unacknowledged), their bytes, and bytes in flight. */
  get held(): { frames: number; bytes: number; inFlightBytes: number } {
    return { frames: this.frames, bytes: this.bytes, inFlightBytes: this.inFlight };
  }

  /** The session closed: nothing is held any more. */
  clear(): void {
    this.queue.length = 0;
    this.lost.length = 0;
    this.totals.frames -= this.frames;
    this.totals.bytes -= this.bytes;
    this.frames = this.bytes = this.inFlight = 0;
  }

  /**
   * Counts a frame against the budgets; why not when over this session's own, or when the
   * endpoint's sessions together hold theirs and this one holds a large share (an eighth of
   * its own budget): many peers cannot add up to what one may not.
   */
  private hold(frame: Frame): string | null {
    const length = encodedFrameLength(frame);
    const c = this.config;
    if (this.frames >= c.maxControlFrames || this.bytes + length > c.maxControlBytes)
      return `control frames over budget (${c.maxControlFrames} frames, ${c.maxControlBytes} bytes)`;
    const nodeFull =
      this.totals.frames >= c.maxControlFramesTotal || this.totals.bytes + length > c.maxControlBytesTotal;
    if (nodeFull && (this.frames * 8 >= c.maxControlFrames || this.bytes * 8 >= c.maxControlBytes))
      return 'control frames over the node budget';
    this.frames++;
    this.bytes += length;
    this.totals.frames++;
    this.totals.bytes += length;
    return null;
  }

  private release(frame: Frame): void {
    const length = encodedFrameLength(frame);
    this.frames--;
    this.bytes -= length;
    this.totals.frames--;
    this.totals.bytes -= length;
  }
}
