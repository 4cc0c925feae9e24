// Port mapping lifecycle (README "Port mapping"): at start, ask the router to forward our UDP
// port, trying each protocol in order (UPnP IGD, then NAT-PMP); renew at half the lifetime
// the router granted (RFC 6886 §3.3 suggests the same); on exit remove the mapping.
//
//   start ─► acquire ─ ok ─► mapped ─ half lifetime ─► renew ─ ok ─► mapped …
//               │                                       └ fails ─► retry (¼ of what is left)
//               └ every protocol fails ─► unmapped ─ backoff ─► acquire (at most `retryDelaysMs.length` times)
//   mapped and the lease ran out without a renewal ─► acquire again
//   mapped ─ every addressCheckMs ─► ask the router's public address ─ new ─► renew now
//     (the router's WAN was re-addressed: the answer to the renewal carries the new address,
//     and the `mapped` state with it tells the node to advertise it and republish its record)
//   destroy ─► cancel timers and requests ─► unmap (bounded by `requestTimeoutMs`) ─► close
//
// Time comes from an injected Clock, so tests drive renewals and expiry by hand. Nothing a
// router says can throw out of here: failures become the `unmapped` state with a reason.

import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import type { Clock, TimerHandle } from '../transport/index.js';
import {
  NoAnswer,
  PROTOCOL_LABEL,
  type MappingGrant,
  type MappingProtocol,
  type MappingProtocolFactory,
  type MappingProtocolName,
} from './mapping-protocol.js';

export type PortMappingState =
  | { kind: 'checking' }
  | {
      kind: 'mapped';
      via: MappingProtocolName;
      externalHost: string;
      externalPort: number;
      /** Clock time the router drops the mapping unless renewed. */
      expiresAt: number;
    }
  | { kind: 'unmapped'; reason: string }
  | { kind: 'stopped' };

export interface PortMappingOptions {
  internalPort: number;
  /** Tried in this order; the first that maps wins. */
  protocols: MappingProtocolFactory[];
  clock: Clock;
  /** Lifetime asked for (routers may grant less; UPnP grants at least an hour in our library). */
  lifetimeMs?: number;
  /** Bound on one request to the router. */
  requestTimeoutMs?: number;
  /** Waits before the next try after every protocol failed; the run of tries ends after the last. */
  retryDelaysMs?: number[];
  /** Renewals are never scheduled sooner than this (a router granting 1 s must not make us spin). */
  minRenewMs?: number;
  /** How often, while mapped, the router is asked for its public address (0: never). */
  addressCheckMs?: number;
}

type Events = {
  state: PortMappingState;
};

export const DEFAULT_LIFETIME_MS = 2 * 3600_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 4000;
const DEFAULT_RETRY_DELAYS_MS = [15_000, 60_000, 300_000];
const DEFAULT_MIN_RENEW_MS = 30_000;
// Issue 16: viewers find a broadcaster that moved within 60 s. Noticing the move takes up to
// this long; the record's put and the viewers' reads add seconds. One small request to the
// router on the LAN (two 12-byte datagrams for NAT-PMP, one SOAP call for UPnP) per period.
const DEFAULT_ADDRESS_CHECK_MS = 10_000;

export class PortMapping {
  private readonly events = new TypedEmitter<Events>();
  private current: PortMappingState = { kind: 'checking' };
  private active: { protocol: MappingProtocol; grant: MappingGrant } | null = null;
  private timer: TimerHandle | null = null;
  private addressTimer: TimerHandle | null = null;
  private inflight: AbortController | null = null;
  private work: Promise<void> = Promise.resolve();
  private retriesUsed = 0;
  private started = false;
  private stopped = false;
  private readonly lifetimeMs: number;
  private readonly timeoutMs: number;
  private readonly retryDelays: number[];
  private readonly minRenewMs: number;
  private readonly addressCheckMs: number;

  constructor(private readonly options: PortMappingOptions) {
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.minRenewMs = options.minRenewMs ?? DEFAULT_MIN_RENEW_MS;
    this.addressCheckMs = options.addressCheckMs ?? DEFAULT_ADDRESS_CHECK_MS;
  }

  get state(): PortMappingState {
    return this.current;
  }

  onState(listener: (state: PortMappingState) => void): () => void {
    return this.events.on('state', listener);
  }

  /** Resolves when no request to the router is in flight (tests; the first answer at start). */
  settled(): Promise<void> {
    return this.work;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.run(() => this.acquire());
  }

  /** Renews now instead of at the scheduled time (tests, and a caller that knows the router restarted). */
  renewNow(): Promise<void> {
    if (this.active && !this.stopped) {
      this.cancelTimer();
      this.run(() => this.renew());
    }
    return this.work;
  }

  /**
   * Asks the router for its public address now instead of at the next check (tests, and a
   * caller with reason to think it changed); renews when it did.
   */
  checkAddressNow(): Promise<void> {
    if (this.active && !this.stopped) {
      this.cancelAddressCheck();
      this.run(() => this.checkAddress());
    }
    return this.work;
  }

  async destroy(): Promise<void> {
    if (this.stopped) return this.work;
    this.stopped = true;
    this.cancelTimer();
    this.cancelAddressCheck();
    this.inflight?.abort();
    await this.work;
    const active = this.active;
    this.active = null;
    if (active) {
      await this.withTimeout((signal) => active.protocol.unmap(this.options.internalPort, signal)).catch(
        () => undefined, // the router drops it at expiry anyway
      );
      await active.protocol.close();
    }
    this.setState({ kind: 'stopped' });
    this.events.removeAllListeners();
  }

  // ---- steps ----

  private async acquire(): Promise<void> {
    const reasons: string[] = [];
    const silent: string[] = [];
    for (const factory of this.options.protocols) {
      if (this.stopped) return;
      const made = factory();
      if (typeof made === 'string') {
        reasons.push(made);
        continue;
      }
      try {
        const grant = await this.withTimeout((signal) =>
          made.map(this.options.internalPort, this.lifetimeMs, signal),
        );
        checkGrant(grant);
        if (this.stopped) {
          // destroy() is waiting for us: hand it the mapping so it removes it.
          this.active = { protocol: made, grant };
          return;
        }
        this.retriesUsed = 0;
        this.adopt(made, grant);
        return;
      } catch (err) {
        reasons.push(`${PROTOCOL_LABEL[made.name]}: ${reasonOf(err)}`);
        if (err instanceof NoAnswer) silent.push(PROTOCOL_LABEL[made.name]);
        await made.close();
      }
    }
    if (this.stopped) return;
    const reason =
      silent.length > 0 && silent.length === reasons.length
        ? `the router did not answer ${silent.join(' or ')}`
        : reasons.join('; ') || 'no protocol to try';
    this.setState({ kind: 'unmapped', reason });
    const delay = this.retryDelays[this.retriesUsed];
    if (delay === undefined) return; // bounded: give up until the next start
    this.retriesUsed += 1;
    this.schedule(delay, () => this.acquire());
  }

  private async renew(): Promise<void> {
    const active = this.active;
    if (!active || this.stopped) return;
    try {
      const grant = await this.withTimeout((signal) =>
        active.protocol.map(this.options.internalPort, this.lifetimeMs, signal),
      );
      checkGrant(grant);
      if (!this.stopped) this.adopt(active.protocol, grant);
    } catch {
      if (this.stopped) return;
      const expiresAt = this.current.kind === 'mapped' ? this.current.expiresAt : this.options.clock.now();
      const left = expiresAt - this.options.clock.now();
      if (left > this.minRenewMs) {
        this.schedule(Math.max(this.minRenewMs, left / 4), () => this.renew());
        return;
      }
      // Lease (nearly) gone: start over, as if the router had restarted.
      this.active = null;
      await active.protocol.close();
      this.retriesUsed = 0;
      this.setState({ kind: 'checking' });
      this.schedule(Math.max(0, left), () => this.acquire());
    }
  }

  /**
   * Asks the router for its public address; when it is not the one we advertise, renews at
   * once (the renewal's answer carries the new address). A failed question or renewal is
   * asked again at the next check, so a router busy with its own change is retried soon.
   */
  private async checkAddress(): Promise<void> {
    const active = this.active;
    if (!active || this.stopped) return;
    try {
      const now = await this.withTimeout((signal) => active.protocol.externalAddress(signal));
      const mapped = this.current.kind === 'mapped' ? this.current : null;
      const port = active.protocol.grantedPort?.() ?? null;
      const moved = now !== mapped?.externalHost || (port !== null && port !== mapped?.externalPort);
      if (!this.stopped && this.active === active && isUsableIpv4(now) && moved) {
        this.cancelTimer();
        await this.renew();
      }
    } catch {
      // No answer now; the next check asks again, and the renewal timer still runs.
    } finally {
      if (this.active && !this.stopped && this.addressTimer === null) this.scheduleAddressCheck();
    }
  }

  private adopt(protocol: MappingProtocol, given: MappingGrant): void {
    // A router may grant more than we asked (NAT-PMP's lifetime is a u32 of seconds): we
    // renew as if it granted what we asked, which also keeps the renewal timer in range
    // (a timer over 2^31 - 1 ms fires at once, and would renew back to back).
    const grant = { ...given, lifetimeMs: Math.min(given.lifetimeMs, this.lifetimeMs) };
    this.active = { protocol, grant };
    const now = this.options.clock.now();
    this.setState({
      kind: 'mapped',
      via: protocol.name,
      externalHost: grant.externalHost,
      externalPort: grant.externalPort,
      expiresAt: now + grant.lifetimeMs,
    });
    this.schedule(Math.max(this.minRenewMs, grant.lifetimeMs / 2), () => this.renew());
    this.scheduleAddressCheck();
  }

  // ---- plumbing ----

  private run(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch(() => undefined);
  }

  private schedule(ms: number, step: () => Promise<void>): void {
    this.cancelTimer();
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.run(step);
    }, ms);
  }

  private scheduleAddressCheck(): void {
    this.cancelAddressCheck();
    if (this.addressCheckMs <= 0) return;
    this.addressTimer = this.options.clock.setTimeout(() => {
      this.addressTimer = null;
      this.run(() => this.checkAddress());
    }, this.addressCheckMs);
  }

  private cancelAddressCheck(): void {
    if (this.addressTimer !== null) this.options.clock.clearTimeout(this.addressTimer);
    this.addressTimer = null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs one request with an abort signal that fires after `requestTimeoutMs` or on destroy. */
  private async withTimeout<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inflight = controller;
    const { clock } = this.options;
    let timer: TimerHandle | null = null;
    const timedOut = new Promise<never>((_, reject) => {
      const fail = (): void =>
        reject(new NoAnswer(`no answer within ${Math.round(this.timeoutMs / 1000)} s`));
      timer = clock.setTimeout(() => {
        controller.abort();
        fail();
      }, this.timeoutMs);
      controller.signal.addEventListener('abort', fail, { once: true });
    });
    timedOut.catch(() => undefined); // settled by the race, or after it
    try {
      return await Promise.race([request(controller.signal), timedOut]);
    } finally {
      if (timer !== null) clock.clearTimeout(timer);
      if (this.inflight === controller) this.inflight = null;
      if (!controller.signal.aborted) controller.abort(); // lets the request free its socket
    }
  }

  private setState(state: PortMappingState): void {
    this.current = state;
    this.events.emit('state', state);
  }
}

/** A router with no public address says 0.0.0.0 (NAT-PMP) or nothing useful. */
function isUsableIpv4(host: unknown): host is string {
  return typeof host === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host !== '0.0.0.0';
}

function checkGrant(g: MappingGrant): void {
  const ok =
    isUsableIpv4(g?.externalHost) &&
    Number.isInteger(g.externalPort) &&
    g.externalPort > 0 &&
    g.externalPort < 65536 &&
    Number.isFinite(g.lifetimeMs) &&
    g.lifetimeMs > 0;
  if (!ok) throw new Error(`the router's answer makes no sense (${JSON.stringify(g)?.slice(0, 120)})`);
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200) || 'failed';
}
