// The node a fuzz run attacks: a real StreamNode (Endpoint + Swarm, wired as the engine
// wires them) on the in-memory network and a hand-driven clock, as broadcaster (holding
// the signed stream) or viewer (dialing a bootstrap peer). Also the cheap invariants a run
// checks, and an honest peer's check that the node still serves after the attack.

import { mergeEngineConfig } from '../../src-main/engine/engine-config.js';
import { FaultLog } from '../../src-main/engine/fault-log.js';
import { StreamNode } from '../../src-main/engine/stream-node.js';
import { Capability } from '../../src-main/protocol/constants.js';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';
import { SegmentStore } from '../../src-main/store/segment-store.js';
import { Endpoint } from '../../src-main/transport/index.js';
import type { Swarm } from '../../src-main/swarm/index.js';

import { FakeClock } from '../fakes/fake-clock.js';
import type { MemoryNet } from '../fakes/memory-net.js';
import { signedStream } from './signed-stream.js';

export const NODE_ADDRESS: PeerAddress = { host: '127.0.0.1', port: 9000 };
export const HONEST_ADDRESS: PeerAddress = { host: '127.0.0.1', port: 9001 };
const TICK_MS = 100;

/** What a fault looked like: a detected violation is expected, anything else is a finding. */
export interface FaultSeen {
  peer: string;
  code: number;
  message: string;
}

/**
 * The fake clock with Node's timer semantics: a delay under 1 ms is 1 ms (Node clamps it;
 * the pacer may ask to wake at `now` when float rounding leaves it a hair short of a
 * packet's tokens, and relies on that). It also counts timer callbacks per instant: a
 * timer that re-arms itself for the same instant would spin a real node; here it would
 * hang FakeClock.advance(), so it is reported as a failure instead.
 */
export class StormCheckedClock extends FakeClock {
  private instant = -1;
  private firesAtInstant = 0;
  storm: string | null = null;

  override setTimeout(fn: () => void, ms: number): unknown {
    // SHOAL_FUZZ_TIMER_STACKS=1 (replays): a storm reports who armed the timer.
    const armedBy = process.env.SHOAL_FUZZ_TIMER_STACKS ? new Error('armed').stack : '';
    return super.setTimeout(
      () => {
        const now = this.now();
        if (now !== this.instant) {
          this.instant = now;
          this.firesAtInstant = 0;
        }
        if (++this.firesAtInstant > 10_000) {
          this.storm ??= `timer storm: over 10000 timer callbacks at t=${now} ms (delay ${ms} ms) ${armedBy}`;
          return;
        }
        fn();
      },
      Math.max(1, ms),
    );
  }
}

export class NodeUnderFuzz {
  readonly faults: FaultSeen[] = [];
  private lastTickAt = 0;

  private constructor(
    readonly role: 'broadcaster' | 'viewer',
    readonly node: StreamNode,
    readonly clock: FakeClock,
    private readonly net: MemoryNet,
  ) {
    node.endpoint.on('fault', ({ peer, error }) => this.faults.push(describe(peer, error)));
  }

  static async open(
    net: MemoryNet,
    clock: FakeClock,
    role: 'broadcaster' | 'viewer',
    bootstrap: PeerAddress[],
  ): Promise<NodeUnderFuzz> {
    const stream = signedStream();
    const config = mergeEngineConfig({
      dataDir: '/nonexistent',
      transport: { bindHost: NODE_ADDRESS.host },
    });
    const node = await StreamNode.open({
      role,
      streamId: stream.streamId,
      bootstrap,
      store: new SegmentStore({ maxSegments: config.store.maxSegments }),
      config,
      now: () => clock.now(),
      socket: net.socket(NODE_ADDRESS.host, NODE_ADDRESS.port),
      clock,
      faultLog: new FaultLog(() => {}),
    });
    const n = new NodeUnderFuzz(role, node, clock, net);
    if (role === 'broadcaster') {
      node.swarm.setInfo(stream.info);
      node.swarm.publish(stream.init.entry, stream.init.data);
      for (const s of stream.media) node.swarm.publish(s.entry, s.data, s.map);
    }
    node.swarm.start();
    // The swarm's own 100 ms interval runs on real time: stopped, and ticked with the clock.
    clearInterval(swarmInternals(node.swarm).timer as ReturnType<typeof setInterval>);
    return n;
  }

  /** Moves the clock, firing transport timers and the swarm's ticks in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    // Nothing is delivered during one jump, so ticks past the first second of it would only
    // repeat themselves: a long jump ticks once a second.
    while (this.lastTickAt + TICK_MS <= end) {
      this.lastTickAt += this.lastTickAt + TICK_MS < this.clock.now() + 1000 ? TICK_MS : 1000;
      if (this.lastTickAt > this.clock.now()) this.clock.advance(this.lastTickAt - this.clock.now());
      swarmInternals(this.node.swarm).tick();
    }
    if (end > this.clock.now()) this.clock.advance(end - this.clock.now());
  }

  /** Routes the endpoint holds, but for our own dials still in progress (those end by timeout). */
  get routes(): number {
    let n = 0;
    for (const r of endpointInternals(this.node.endpoint).routes.values())
      if (!(r.attempt && !r.attempt.done)) n++;
    return n;
  }

  get helloRoutes(): number {
    return endpointInternals(this.node.endpoint).byHello.size;
  }

  /**
   * Invariants cheap enough to read after every step. Returns what is broken, or null.
   * (Faults are collected separately: see findings().)
   */
  checkBounded(): string | null {
    const ep = this.node.endpoint;
    const s = ep.stats();
    if (s.reassemblyBytes < 0 || s.reassemblyBytes > ep.config.reassemblyTotalBytes)
      return `reassemblyBytes ${s.reassemblyBytes} outside [0, ${ep.config.reassemblyTotalBytes}]`;
    if (this.routes > ep.config.maxSessions + 64) return `routes ${this.routes} > maxSessions`;
    const links = this.node.swarm.neighbourhood.links().length;
    if (links > ep.stats().sessions) return `swarm links ${links} > open sessions ${s.sessions}`;
    for (const link of this.node.swarm.neighbourhood.links())
      if (link.session.remote && ep.sessions().every((x) => x.remote.port !== link.session.remote.port))
        return `swarm link to ${link.session.remote.port} has no open session`;
    return null;
  }

  /** After every peer went quiet and the idle timeout passed: nothing of them is left. */
  checkDrained(): string | null {
    const s = this.node.endpoint.stats();
    if (s.sessions !== 0) return `${s.sessions} sessions still open after the idle timeout`;
    if (this.routes !== 0) return `${this.routes} routes left after the idle timeout`;
    if (this.helloRoutes !== 0) return `${this.helloRoutes} hello routes left after the idle timeout`;
    if (s.reassemblyBytes !== 0) return `${s.reassemblyBytes} reassembly bytes held with no session`;
    const links = this.node.swarm.neighbourhood.links().length;
    if (links !== 0) return `${links} swarm links left with no session`;
    return null;
  }

  /** Faults that are not a detected protocol violation: bugs (PROTOCOL §10.8). */
  findings(): FaultSeen[] {
    return this.faults.filter((f) => f.code !== ErrorCode.PROTOCOL_VIOLATION);
  }

  /**
   * An honest peer connects and gets data: the broadcaster's playlist and a segment,
   * byte-identical; a viewer answers a PING (and its playlist if it learned one).
   */
  async honestCheck(): Promise<string | null> {
    const stream = signedStream();
    const honest = new Endpoint({
      socket: this.net.socket(HONEST_ADDRESS.host, HONEST_ADDRESS.port),
      clock: this.clock,
      capabilities: Capability.PIECES | Capability.PEX,
    });
    await honest.start();
    try {
      const session = await this.drive(honest.connect(NODE_ADDRESS, stream.streamId, { timeoutMs: 5000 }));
      if (typeof session === 'string') return `honest peer: connect ${session}`;
      // Any answer to a PING (its PONG, or the ACK of it) proves the node's loop serves us.
      const before = session.connection.counters.packetsReceived;
      session.send({ type: 'PING', nonce: 0x600d });
      const pong = await this.driveUntil(
        () => session.closed || session.connection.counters.packetsReceived > before,
      );
      if (!pong || session.closed)
        return `honest peer: no answer to a PING (${session.reason?.message ?? 'open'})`;
      if (this.role === 'broadcaster' || this.node.swarm.book.info) {
        const pl = await this.drive(session.requestPlaylist({ rendition: 0, fromSeq: 0 }, 5000));
        if (typeof pl === 'string') return `honest peer: playlist ${pl}`;
      }
      if (this.role === 'broadcaster') {
        const want = stream.media[3]!;
        const got = await this.drive(
          session.requestSegment({
            rendition: 0,
            kind: 'media',
            seq: want.entry.seq,
            expectedSize: want.data.length,
            // As a viewer asks: needed within a segment duration. Without a deadline a
            // broadcaster that already sent a segment's first copies refuses it (OVERLOADED:
            // it serves only rescues then, see ServingPolicy.refuses).
            deadlineMs: 1000,
            priority: 0,
          }).done,
        );
        if (typeof got === 'string') return `honest peer: segment ${got}`;
        if (Buffer.compare(got, want.data) !== 0) return 'honest peer: segment bytes differ';
      }
      session.close(ErrorCode.CLOSED, 'done');
      await this.net.settle();
      return null;
    } finally {
      await honest.destroy();
      await this.net.settle();
    }
  }

  /** Runs the network and the clock until `done()` (true) or 10 s of fake time (false). */
  private async driveUntil(done: () => boolean): Promise<boolean> {
    for (let i = 0; i < 400; i++) {
      await this.net.settle();
      if (done()) return true;
      this.advance(25);
    }
    return done();
  }

  /** Runs the network and the clock until `p` settles; its value, or a string saying why not. */
  private async drive<T>(p: Promise<T>): Promise<T | string> {
    const box: { r: { ok: true; value: T } | { ok: false; error: string } | null } = { r: null };
    p.then(
      (value) => (box.r = { ok: true, value }),
      (err: unknown) => (box.r = { ok: false, error: `failed: ${(err as Error).message}` }),
    );
    await this.driveUntil(() => box.r !== null);
    const r = box.r;
    if (r === null) return 'never settled (10 s of fake time)';
    return r.ok ? r.value : r.error;
  }

  async destroy(): Promise<void> {
    await this.node.destroy();
    await this.net.settle();
  }
}

function describe(peer: PeerAddress, error: ShoalError): FaultSeen {
  const cause = (error as Error & { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `${cause.message}\n${cause.stack ?? ''}` : '';
  return {
    peer: `${peer.host}:${peer.port}`,
    code: error.code,
    message: `${error.message} ${detail}`.trim(),
  };
}

interface SwarmInternals {
  timer: unknown;
  tick(): void;
}
function swarmInternals(swarm: Swarm): SwarmInternals {
  return swarm as unknown as SwarmInternals;
}
interface EndpointInternals {
  routes: Map<number, { attempt?: { done: boolean } }>;
  byHello: Map<string, unknown>;
}
function endpointInternals(ep: Endpoint): EndpointInternals {
  return ep as unknown as EndpointInternals;
}
