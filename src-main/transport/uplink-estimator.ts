// The automatic upload cap (PROTOCOL §9.4): finding the line's upload capacity from what the
// node's own sessions see, as BitTorrent clients' "automatic upload rate" does. LEDBAT keeps
// each session's queue short (§9.1) but cannot order the sessions: without a cap, every
// session sends at once and a viewer's urgent pieces wait behind a newcomer's catch-up. A
// cap lets the limiter send the most urgent first and the serving policy turn down what
// would wait too long (§9.4, §13.5), so it should sit just under what the line carries.
//
// Each interval (about a second) the governor reports how much the node sent and whether
// its sessions saw the uplink's queue (LEDBAT's queuing delay, §9.1, or losses):
// - a queue while sending near the most the node has sent lately means the line is full:
//   the cap drops to 90% of what got through (at most once per HOLD_MS, to let the queue
//   drain before judging again);
// - no queue while the cap held data back (and the node sent close to the cap) means there
//   may be more room: the cap grows by PROBE_GAIN per interval until a queue shows again;
// - otherwise the cap stays.
// Before the line has been seen full there is no cap (null): the node sends what LEDBAT
// allows, and learns the line when it first fills it. (A starting guess at the stream's bit
// rate, grown 25% a second, was tried: it slowed viewers catching up after a broadcaster
// restart into skipping segments, and did not change the NAT lab's figures.)
// A queue seen while sending little (a busy CPU delays timestamps too, or the user's other
// traffic fills the line) is not taken as the line's capacity: it must come with a send
// rate of at least PEAK_SHARE of the recent peak.

/** What the node's sessions saw over one interval. */
export interface UplinkSample {
  /** Bytes the node sent (segment data and control) during the interval. */
  sentBytes: number;
  /** Length of the interval, ms. */
  intervalMs: number;
  /** The uplink's queue showed (most sending sessions' queuing delay or losses). */
  queue: boolean;
  /** The cap held data back during the interval (the limiter made a sender wait). */
  capLimited: boolean;
}

export interface UplinkEstimatorOptions {
  /** The cap never goes below this many bytes/s (a floor for the serving policy's plans). */
  floorBytesPerSec: () => number;
}

/** Share of what got through that the cap keeps when the line is full. */
const BACKOFF = 0.9;
/** Growth of the cap per interval while it holds data back and the line shows no queue. */
const PROBE_GAIN = 1.05;
/** The cap held data back only if the node sent at least this share of it. */
const LIMITED_SHARE = 0.8;
/** After a decrease, no other for this long: the queue drains and LEDBAT's filter catches up. */
const HOLD_MS = 2_000;
/** A queue counts only while sending at least this share of the recent peak (see the top). */
const PEAK_SHARE = 0.7;
/** How long the recent peak send rate is remembered, ms. */
const PEAK_WINDOW_MS = 30_000;

export class UplinkEstimator {
  private estimate: number | null = null;
  private sinceDecreaseMs = Infinity;
  /** Recent per-interval send rates, bytes/s, newest last, with their ages. */
  private readonly recent: { rate: number; ageMs: number }[] = [];

  constructor(private readonly options: UplinkEstimatorOptions) {}

  /** The current cap, bytes/s; null = not known yet (no cap). */
  get bytesPerSec(): number | null {
    return this.estimate;
  }

  /** Folds in one interval; returns the cap to apply (null = none yet). */
  update(sample: UplinkSample): number | null {
    if (!(sample.intervalMs > 0) || !(sample.sentBytes >= 0)) return this.estimate;
    const rate = (sample.sentBytes * 1000) / sample.intervalMs;
    for (const r of this.recent) r.ageMs += sample.intervalMs;
    while (this.recent.length > 0 && this.recent[0]!.ageMs > PEAK_WINDOW_MS) this.recent.shift();
    const peak = Math.max(rate, ...this.recent.map((r) => r.rate));
    this.recent.push({ rate, ageMs: 0 });
    this.sinceDecreaseMs += sample.intervalMs;
    const floor = Math.max(1, this.options.floorBytesPerSec());
    const full = sample.queue && rate >= PEAK_SHARE * peak && rate >= floor;
    const limited = sample.capLimited && this.estimate !== null && rate >= LIMITED_SHARE * this.estimate;
    if (full && this.sinceDecreaseMs >= HOLD_MS) {
      const target = BACKOFF * rate;
      this.estimate = Math.max(floor, this.estimate === null ? target : Math.min(this.estimate, target));
      this.sinceDecreaseMs = 0;
    } else if (!sample.queue && limited) {
      this.estimate = Math.max(floor, this.estimate! * PROBE_GAIN);
    }
    return this.estimate;
  }
}
