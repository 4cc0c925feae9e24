// Runs the automatic upload cap (PROTOCOL §9.4): once a second it reads what the node sent
// (the shared upload limiter's meter) and what its sessions' congestion control saw, feeds
// UplinkEstimator, and applies the result to the limiter and to whoever plans with the cap
// (the swarm's serving policy).

import type { Clock, TimerHandle } from './clock.js';
import type { PeerSessionStats } from './peer-session.js';
import type { UploadLimiter } from './upload-limiter.js';
import { UplinkEstimator } from './uplink-estimator.js';

const INTERVAL_MS = 1_000;
/** A session counts as sending in an interval when it sent at least this many bytes. The
 * uplink's queue shows when the median sending session's queuing delay reaches TARGET/2. */
const MIN_SENDER_BYTES = 4 * 1200;

/**
 * … or when this share of the packets the sending sessions sent was lost: a full drop-tail
 * queue. Queuing delay alone misses a line that was already full when a session began (its
 * base delay then includes the queue: LEDBAT's latecomer problem, RFC 6817 §4.4).
 */
const QUEUE_LOSS_SHARE = 0.03;
/** Packets the sending sessions must have sent in the interval for their loss share to count. */
const MIN_LOSS_PACKETS = 20;

export interface UplinkGovernorOptions {
  clock: Clock;
  limiter: UploadLimiter;
  /** The node's sessions (their stats are read once per interval). */
  sessions: () => Iterable<{ stats(): PeerSessionStats }>;
  /** The cap never goes below this, bytes/s. */
  floorBytesPerSec: () => number;
  /** LEDBAT's TARGET, ms (§9.2): the uplink's queue shows at half of it. */
  targetDelayMs: number;
  /** A new cap (bytes/s) to plan with; the limiter has it already. */
  onCap: (bytesPerSec: number | null) => void;
}

interface SessionMark {
  bytesSent: number;
  packetsSent: number;
  packetsLost: number;
}

export class UplinkGovernor {
  private readonly estimator: UplinkEstimator;
  private timer: TimerHandle | null = null;
  private lastAt = 0;
  private lastBytes = 0;
  private lastDeferrals = 0;
  private marks = new WeakMap<object, SessionMark>();
  private applied: number | null = null;

  constructor(private readonly options: UplinkGovernorOptions) {
    this.estimator = new UplinkEstimator({ floorBytesPerSec: options.floorBytesPerSec });
  }

  /** The cap in force, bytes/s; null until the line has been found full once. */
  get bytesPerSec(): number | null {
    return this.applied;
  }

  start(): void {
    if (this.timer !== null) return;
    this.lastAt = this.options.clock.now();
    this.lastBytes = this.sentBytes();
    this.lastDeferrals = this.options.limiter.deferrals;
    this.schedule();
  }

  destroy(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      try {
        this.tick();
      } finally {
        this.schedule();
      }
    }, INTERVAL_MS);
  }

  private sentBytes(): number {
    return this.options.limiter.bytesMetered + this.options.limiter.bytesCharged;
  }

  /** One interval: what was sent, whether the queue showed, whether the cap held data back. */
  tick(): void {
    const now = this.options.clock.now();
    const bytes = this.sentBytes();
    const deferrals = this.options.limiter.deferrals;
    const delays: number[] = [];
    let sent = 0;
    let lost = 0;
    const marks = new WeakMap<object, SessionMark>();
    for (const session of this.options.sessions()) {
      const s = session.stats();
      const before = this.marks.get(session);
      marks.set(session, { bytesSent: s.bytesSent, packetsSent: s.packetsSent, packetsLost: s.packetsLost });
      if (!before || s.bytesSent - before.bytesSent < MIN_SENDER_BYTES) continue;
      delays.push(s.queuingDelayMs);
      sent += s.packetsSent - before.packetsSent;
      lost += Math.max(0, s.packetsLost - before.packetsLost);
    }
    this.marks = marks;
    delays.sort((a, b) => a - b);
    const median = delays.length > 0 ? delays[Math.floor((delays.length - 1) / 2)]! : 0;
    const lossy = sent >= MIN_LOSS_PACKETS && lost >= QUEUE_LOSS_SHARE * sent;
    const queue = delays.length > 0 && (median >= this.options.targetDelayMs / 2 || lossy);
    const cap = this.estimator.update({
      sentBytes: bytes - this.lastBytes,
      intervalMs: now - this.lastAt,
      queue,
      capLimited: deferrals > this.lastDeferrals,
    });
    this.lastAt = now;
    this.lastBytes = bytes;
    this.lastDeferrals = deferrals;
    const rounded = cap === null ? null : Math.round(cap);
    if (rounded === this.applied) return;
    this.applied = rounded;
    this.options.limiter.setRate(this.applied);
    this.options.onCap(this.applied);
  }
}
