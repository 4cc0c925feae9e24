// Watching: join the swarm of a stream address, fetch and verify segments into the store,
// relay them, and track the viewer's state (connecting → buffering → playing, or ended,
// not found). A viewer that played and then hears nothing new from the stream — its
// broadcaster said GOODBYE, or went quiet (crashed, or its encoder stopped) — is
// broadcaster-offline, and goes back to playing by itself when new entries come. A GOODBYE
// reaches only the broadcaster's neighbours; the others hear its signed offline notice,
// relayed through the swarm (PROTOCOL §5.16).

import type { OfflineCause, SessionState } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { formatCount } from '../../src-shared/format.js';
import {
  formatStreamAddress,
  publicKeyBytes,
  shortStreamAddress,
  type StreamAddress,
} from '../../src-shared/stream-address.js';
import { StreamInfoFlag } from '../protocol/constants.js';
import type { SegmentStore } from '../store/segment-store.js';
import { isConnectRejected, type IpFamily } from '../transport/index.js';
import type { EngineConfig } from './engine-config.js';
import type { EngineBus } from './engine-bus.js';
import { resolveBootstrap } from './bootstrap-hosts.js';
import type { DhtService } from './dht-service.js';
import { StreamNode } from './stream-node.js';
import { WatchDiscovery } from './watch-discovery.js';

export interface WatchSessionOptions {
  address: StreamAddress;
  store: SegmentStore;
  config: EngineConfig;
  bus: EngineBus;
  now: () => number;
  /** How long to keep trying before calling the stream not found. */
  notFoundAfterMs?: number;
  /** The engine's DHT (PROTOCOL §15); absent or off = only the address's endpoints and PEX. */
  dht?: DhtService;
}

/** Segments held ahead of the join point before the player is told to start. */
const START_AFTER_SEGMENTS = 1;
/** A FULL answer keeps the viewer in 'full' (not 'not-found') for this long after it. */
const FULL_HOLDS_MS = 30_000;
/**
 * No new entry for this many segment durations (and at least QUIET_MIN_MS) means the
 * broadcaster is offline: one arrives every segment while the stream runs.
 */
const QUIET_SEGMENTS = 3;
const QUIET_MIN_MS = 4000;
/** While quiet, the broadcaster is pinged every second: one heard from within this is alive. */
const ANSWERS_WITHIN_MS = 2500;
/**
 * "Encoder stalled" holds this long after the broadcaster last answered: a late PONG on a
 * busy machine must not flip the Watch page between "Encoder stalled" and "Broadcaster
 * offline" every few seconds (a crashed broadcaster is said to be offline after this).
 */
const ENCODER_CAUSE_HOLD_MS = 10_000;

export class WatchSession {
  readonly role = 'viewer' as const;
  state: SessionState = 'connecting';
  readonly address: string;
  private readonly startedAt: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private everConnected = false;
  private playingSince: number | null = null;
  private notFoundCode: number = ErrorCode.NO_PEERS;
  /** The last REJECT FULL: who said it, how many peers it listed, when. */
  private full: { where: string; peers: number; at: number } | null = null;
  /** When a link to the broadcaster ended with its GOODBYE (null: it did not, or news came since). */
  private goodbyeAt: number | null = null;
  /** The stream's record and other viewers, on the DHT. */
  discovery: WatchDiscovery | null = null;

  private constructor(
    private readonly options: WatchSessionOptions,
    readonly node: StreamNode,
  ) {
    this.address = formatStreamAddress(options.address);
    this.startedAt = options.now();
    this.timer = setInterval(() => this.update(), 250);
    this.timer.unref?.();
  }

  get streamId(): string {
    return this.options.address.streamId;
  }

  static async start(options: WatchSessionOptions): Promise<WatchSession> {
    // Names resolve to the bind host's family; with every address bound, IPv4 first (§2.2).
    const bind = options.config.transport.bindHost;
    const families: IpFamily[] = bind === null ? [4, 6] : [bind.includes(':') ? 6 : 4];
    const dhtOn = options.dht !== undefined && options.config.settings.dhtEnabled;
    if (options.address.bootstrap.length === 0 && !dhtOn) {
      throw new ShoalError(
        ErrorCode.BAD_ADDRESS,
        'this address has no host:port, so it is looked up on the DHT, which is turned off (Settings → DHT)',
      );
    }
    const bootstrap = await resolveBootstrap(options.address.bootstrap, families);
    const node = await StreamNode.open({
      role: 'viewer',
      streamId: publicKeyBytes(options.address.streamId),
      bootstrap,
      store: options.store,
      config: options.config,
      now: options.now,
    });
    const session = new WatchSession(options, node);
    if (dhtOn && options.dht) {
      session.discovery = new WatchDiscovery({
        dht: options.dht,
        node,
        streamId: publicKeyBytes(options.address.streamId),
        given: bootstrap,
        lost: () => ['connecting', 'not-found', 'broadcaster-offline', 'full'].includes(session.state),
        now: options.now,
        onError: (error) => options.bus.error(error),
      });
    }
    node.swarm.on('peer-joined', () => {
      session.everConnected = true;
    });
    node.swarm.on('error', (error) => {
      if (error.code === ErrorCode.STREAM_NOT_FOUND) session.notFoundCode = ErrorCode.STREAM_NOT_FOUND;
    });
    // PROTOCOL §13.5: FULL means the node is there and carries the stream, with no slot now.
    node.swarm.on('dial-failed', ({ address, error }) => {
      if (error.code !== ErrorCode.FULL) return;
      const peers = isConnectRejected(error) ? error.peers.length : 0;
      const where = `${address.host}:${address.port}`;
      const given = options.address.bootstrap.some((b) => b.host === address.host && b.port === address.port);
      // The message names the address the user gave; a listed peer that is full too only keeps it fresh.
      if (given || !session.full) session.full = { where, peers, at: options.now() };
      else session.full.at = options.now();
    });
    node.swarm.on('segment', () => session.update());
    node.swarm.on('offline', () => session.update());
    node.swarm.on('peer-left', ({ peer, reason }) => {
      if (!peer.isBroadcaster || reason.code !== ErrorCode.PEER_GONE) return;
      session.goodbyeAt = options.now();
      session.update();
    });
    node.swarm.start();
    return session;
  }

  /** `shoal://<id>`, once the stream's record was found on the DHT. */
  get shortAddress(): string | null {
    return this.discovery?.found ? shortStreamAddress(this.streamId) : null;
  }

  get isEnded(): boolean {
    const info = this.node.swarm.streamInfo;
    return info !== null && (info.flags & StreamInfoFlag.ENDED) !== 0;
  }

  /** Seconds of media held in order beyond a real-time playhead started when playing began. */
  bufferedSec(rendition = 0): number {
    const start = this.node.swarm.joinSeq(rendition);
    if (start === undefined || this.playingSince === null) return 0;
    const head = this.node.swarm.contiguousHead(rendition);
    const us = this.node.swarm.mediaDurationUs(rendition, start, head);
    const played = (this.options.now() - this.playingSince) / 1000;
    return Math.max(0, us / 1e6 - played);
  }

  /**
   * How we reach the stream, when peers do not work (PROTOCOL §13.5: no viewer is left
   * without a path): what the CLI's status line and the Watch page say. Null: peers work.
   */
  pathNote(): string | null {
    const swarm = this.node.swarm;
    const peers = swarm.peerSnapshots();
    const full = this.full !== null && this.options.now() - this.full.at < FULL_HOLDS_MS;
    if (swarm.pathStatus === 'no-path') {
      // No peer at all, or peers that deliver too little to keep playing (PROTOCOL §5.17).
      // A viewer alone with the broadcaster has nobody to reach: no fault of its network.
      const why = peers.some((p) => !p.isBroadcaster)
        ? 'Peers too slow'
        : swarm.knowsOtherViewers
          ? 'No reachable peer'
          : 'No other viewer yet';
      const broadcaster = peers.find((p) => p.isBroadcaster);
      if (broadcaster) {
        // It serves as many viewers with no path as its upload carries (PROTOCOL §13.5).
        // Served: it sends us at least a quarter of the stream's bit rate (over 3 s).
        const served = broadcaster.downBps >= 0.25 * swarm.streamBytesPerSec();
        return served
          ? `${why} — served by the broadcaster`
          : `${why} — waiting for the broadcaster's upload (it serves others first)`;
      }
      return full
        ? `Broadcaster full and ${why.toLowerCase()} — asking it for a rescue slot`
        : `${why} — asking the broadcaster`;
    }
    if (peers.length === 0 && full) return 'Broadcaster full — looking for a peer it listed';
    return null;
  }

  /**
   * Seconds the picture is behind the source: the media held ahead of the playhead, the
   * segments known but not held in order, and how long ago we heard of the newest one (the
   * source has gone on since). Without the first and the last, a viewer whose gateway was
   * 20–60 s behind the source said 6–16 s (issue 16).
   */
  behindLiveSec(rendition = 0): number | null {
    const swarm = this.node.swarm;
    const edge = swarm.liveEdge(rendition);
    const head = swarm.contiguousHead(rendition);
    if (edge < 0 || head < 0) return null;
    // Seqs are integers: after `head` is from head + 1.
    const us = swarm.mediaDurationUs(rendition, head + 1, edge);
    const heard = swarm.heardAt(rendition, edge);
    const edgeAgeSec = heard === undefined ? 0 : Math.max(0, this.options.now() - heard) / 1000;
    return us / 1e6 + this.bufferedSec(rendition) + edgeAgeSec;
  }

  private update(): void {
    const swarm = this.node.swarm;
    const now = this.options.now();
    if (this.state === 'ended') return;
    const held = swarm.contiguousHead(0) - (swarm.joinSeq(0) ?? 0) + 1;
    if (this.isEnded && swarm.contiguousHead(0) >= swarm.liveEdge(0)) return this.setState('ended');
    if (this.broadcasterOffline(now)) return this.setState('broadcaster-offline');
    if (held >= START_AFTER_SEGMENTS) return this.setState('playing');
    if (swarm.peerCount > 0) return this.setState('buffering');
    if (this.full && now - this.full.at < FULL_HOLDS_MS) {
      if (this.state === 'full') return;
      const { where, peers } = this.full;
      const others = peers > 0 ? `trying the ${formatCount(peers, 'peer')} it listed and ` : '';
      this.options.bus.error(
        new ShoalError(
          ErrorCode.FULL,
          `${where} is full (no free peer slot for another viewer); ${others}asking it again every few seconds`,
        ),
      );
      return this.setState('full');
    }
    if (
      this.state !== 'not-found' &&
      !this.everConnected &&
      now - this.startedAt > (this.options.notFoundAfterMs ?? 10_000)
    ) {
      const where = this.options.address.bootstrap.map((b) => `${b.host}:${b.port}`).join(', ');
      const dhtReason = this.discovery?.notFoundReason(this.options.dht?.nodeCount() ?? 0) ?? null;
      const error =
        dhtReason !== null && where === ''
          ? new ShoalError(ErrorCode.STREAM_NOT_FOUND, `stream ${this.streamId.slice(0, 8)}…: ${dhtReason}`)
          : this.notFoundCode === ErrorCode.STREAM_NOT_FOUND
            ? new ShoalError(ErrorCode.STREAM_NOT_FOUND, `nobody at ${where} carries this stream`)
            : new ShoalError(
                ErrorCode.NO_PEERS,
                `no answer from ${where}: the broadcaster may be offline or unreachable (firewall, NAT)`,
              );
      this.options.bus.error(error);
      this.setState('not-found');
    }
  }

  /**
   * Why the state is broadcaster-offline: it said it stopped, nothing new came for a while
   * ('silent'), or nothing new came although the broadcaster answers us ('encoder': its
   * encoder stalled; a viewer not linked to the broadcaster cannot tell and says 'silent').
   */
  get offlineCause(): OfflineCause | null {
    if (this.state !== 'broadcaster-offline') return null;
    if (this.cause !== 'silent') return this.cause;
    const now = this.options.now();
    if (this.node.swarm.broadcasterAnswers(ANSWERS_WITHIN_MS)) this.answeredAt = now;
    return now - this.answeredAt < ENCODER_CAUSE_HOLD_MS ? 'encoder' : 'silent';
  }
  private cause: 'stopped' | 'silent' = 'silent';
  /** When the broadcaster last answered while the stream was quiet (see offlineCause). */
  private answeredAt = -Infinity;

  /** Only once it played: before that, connecting and not-found say more. */
  private broadcasterOffline(now: number): boolean {
    if (this.playingSince === null || this.isEnded) return false;
    const swarm = this.node.swarm;
    this.cause = 'stopped';
    // PROTOCOL §5.16: its signed word, relayed to us; it holds until an entry past it comes.
    if (swarm.offlineNotice !== null) return true;
    const lastNews = Math.max(swarm.lastNewsAt, this.playingSince);
    if (this.goodbyeAt !== null) {
      if (lastNews > this.goodbyeAt) this.goodbyeAt = null;
      else if (!swarm.peerSnapshots().some((p) => p.isBroadcaster)) return true;
    }
    this.cause = 'silent';
    return now - lastNews > Math.max(QUIET_MIN_MS, QUIET_SEGMENTS * swarm.segmentDurationMs());
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    if (this.state === 'broadcaster-offline') this.answeredAt = -Infinity;
    // The FULL message is the story of the 'full' state only, "not found" of 'not-found'.
    const code = this.options.bus.lastError?.code;
    if (
      (this.state === 'full' && code === ErrorCode.FULL) ||
      (this.state === 'not-found' && (code === ErrorCode.NO_PEERS || code === ErrorCode.STREAM_NOT_FOUND))
    )
      this.options.bus.lastError = null;
    if (state === 'playing' && this.playingSince === null) this.playingSince = this.options.now();
    this.state = state;
    this.options.bus.state(state);
  }

  async destroy(): Promise<void> {
    clearInterval(this.timer);
    this.discovery?.destroy();
    await this.node.destroy();
  }
}
