// Congestion control (PROTOCOL §9): LEDBAT (RFC 6817) on the one-way delay carried in the
// header's timestamp/timestampDiff, with a loss response that tells random loss (queue
// empty: mild backoff) from congestive loss (queue building: halve), at most once per RTT.

export interface LedbatConfig {
  /** Bytes per full packet (the session's max datagram). */
  mss: number;
  /** RFC 6817 TARGET, ms (60–100). */
  targetMs: number;
  /** RFC 6817 GAIN: linear growth of at most GAIN·MSS per RTT. */
  gain: number;
  /** Multiplicative growth per RTT when the queue is empty (scaled by off-target). */
  ramp: number;
  /** Backoff on loss while queuing delay is below TARGET/2 (random loss). */
  betaMild: number;
  /** Backoff on loss while queuing delay is above TARGET/2 (congestive loss). */
  betaStrong: number;
  initialCwndPackets: number;
  minCwndPackets: number;
  maxCwndBytes: number;
}

export const DEFAULT_LEDBAT: Omit<LedbatConfig, 'mss'> = {
  targetMs: 75,
  gain: 1,
  ramp: 0.25,
  betaMild: 0.9,
  betaStrong: 0.5,
  initialCwndPackets: 10,
  minCwndPackets: 2,
  maxCwndBytes: 16 * 1024 * 1024,
};

/** RFC 6817 §2.4.2 — minutes of one-minute base-delay minima kept. */
const BASE_HISTORY = 10;
const BASE_INTERVAL_MS = 60_000;
/** RFC 6817 §3.4.2 — current delay = min of the last few samples (filters noise). */
const CURRENT_FILTER = 4;
/** Packets the window may exceed twice the bytes in flight by (flight-size cap). */
const FLIGHT_ALLOWANCE_PACKETS = 4;

export class Ledbat {
  cwnd: number;
  inSlowStart = true;
  private readonly baseHistory: number[] = [];
  private baseBucketStart = -Infinity;
  /** The last CURRENT_FILTER samples, as a ring (a sample arrives with every packet). */
  private readonly current = new Float64Array(CURRENT_FILTER);
  private samples = 0;
  private reference: number | null = null;
  private recoveryStart = -Infinity;
  lossEvents = 0;

  constructor(private readonly cfg: LedbatConfig) {
    this.cwnd = cfg.initialCwndPackets * cfg.mss;
  }

  /**
   * A one-way delay sample: the peer's timestampDiff (µs mod 2^32, arbitrary clock offset).
   * Only differences matter, so samples are kept relative to the first one, as signed
   * 32-bit µs (PROTOCOL §9.1).
   */
  onDelaySample(diffUs: number, now: number): void {
    if (diffUs === 0) return;
    if (this.reference === null) this.reference = diffUs;
    const delayMs = ((diffUs - this.reference) | 0) / 1000;
    if (now - this.baseBucketStart >= BASE_INTERVAL_MS || this.baseHistory.length === 0) {
      this.baseBucketStart = now;
      this.baseHistory.push(delayMs);
      if (this.baseHistory.length > BASE_HISTORY) this.baseHistory.shift();
    } else {
      const last = this.baseHistory.length - 1;
      if (delayMs < this.baseHistory[last]!) this.baseHistory[last] = delayMs;
    }
    this.current[this.samples++ % CURRENT_FILTER] = delayMs;
  }

  /** Current (filtered) delay above the base delay, ms; 0 before any sample. */
  get queuingDelayMs(): number {
    if (this.samples === 0) return 0;
    let base = Infinity;
    for (const d of this.baseHistory) if (d < base) base = d;
    let cur = Infinity;
    const n = Math.min(this.samples, CURRENT_FILTER);
    for (let i = 0; i < n; i++) if (this.current[i]! < cur) cur = this.current[i]!;
    return Math.max(0, cur - base);
  }

  /** RFC 6817 §2.4.2, with slow start until the queue starts to build or a loss. */
  onAcked(bytes: number, appLimited: boolean, priorInFlight: number): void {
    // An unused window is not evidence the path can take more.
    if (appLimited) return;
    const cfg = this.cfg;
    const queuing = this.queuingDelayMs;
    let next: number;
    if (this.inSlowStart && queuing <= cfg.targetMs / 2) {
      next = this.cwnd + bytes;
    } else {
      this.inSlowStart = false;
      const offTarget = Math.max(-1, Math.min(1, (cfg.targetMs - queuing) / cfg.targetMs));
      const perByte = Math.max((cfg.gain * cfg.mss) / this.cwnd, cfg.ramp);
      next = this.cwnd + bytes * offTarget * perByte;
    }
    // RFC 6817 §2.4.2 flight-size cap: never more than twice what was actually in flight
    // (plus a few packets), e.g. while the upload cap rather than the path is the limit.
    const cap = Math.max(this.cwnd, 2 * priorInFlight + FLIGHT_ALLOWANCE_PACKETS * cfg.mss);
    this.setCwnd(Math.min(next, cap));
  }

  /**
   * A packet sent at `sentAt` was declared lost. One window reduction per round trip:
   * losses of packets sent before the last reduction belong to the same event.
   */
  onLoss(sentAt: number, now: number): void {
    if (sentAt <= this.recoveryStart) return;
    this.recoveryStart = now;
    this.lossEvents++;
    this.inSlowStart = false;
    const congestive = this.queuingDelayMs > this.cfg.targetMs / 2;
    this.setCwnd(this.cwnd * (congestive ? this.cfg.betaStrong : this.cfg.betaMild));
  }

  /** RFC 9002 §7.6 — repeated probe timeouts: the path may have changed entirely. */
  onPersistentCongestion(now: number): void {
    this.recoveryStart = now;
    this.setCwnd(0);
  }

  private setCwnd(bytes: number): void {
    const cfg = this.cfg;
    this.cwnd = Math.min(cfg.maxCwndBytes, Math.max(cfg.minCwndPackets * cfg.mss, bytes));
  }
}
