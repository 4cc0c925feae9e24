// The engine: one facade over protocol, transport, swarm, store and HLS that every host
// (Electron, the CLI, the browser UI server) drives. It runs at most one session at a
// time — a broadcast or a watch — and reports everything through one event bus and a
// snapshot pushed about once a second.

import {
  DEFAULT_SETTINGS,
  StartBroadcastSchema,
  type EngineEvent,
  type Reachability,
  type SegmentArrival,
  type SessionInfo,
  type Settings,
  type SettingsPatch,
  type StartBroadcast,
  type StatsSnapshot,
} from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { formatHostPort, parseStreamAddress } from '../../src-shared/stream-address.js';
import { HlsGateway } from '../hls/serve/gateway.js';
import { gatewayPlayerPosition } from './gateway-position.js';
import { resolveMediaHeld } from '../hls/serve/held-media.js';
import type { MediaStream } from '../hls/serve/media-resolver.js';
import { SegmentRecorder } from '../hls/serve/recorder.js';
import { KeyStore } from '../store/key-store.js';
import { SegmentStore } from '../store/segment-store.js';
import type { Swarm } from '../swarm/index.js';
import { BroadcastSession } from './broadcast-session.js';
import { DhtService } from './dht-service.js';
import { EngineBus } from './engine-bus.js';
import {
  mergeEngineConfig,
  mergeSettings,
  type EngineConfig,
  type EngineConfigInput,
} from './engine-config.js';
import type { EngineFacade, MediaResponse } from './engine-facade.js';
import { peerStat } from './peer-stats.js';
import { SettingsFile } from './settings-file.js';
import { TrafficLedger } from './traffic-ledger.js';
import { WatchSession } from './watch-session.js';

const RECENT_ARRIVALS = 40;

export type BroadcastRequest = StartBroadcast & { identity?: string; vodSpeed?: number; loop?: boolean };

export class Engine implements EngineFacade {
  readonly config: EngineConfig;
  private readonly bus: EngineBus;
  private readonly settingsFile: SettingsFile;
  private readonly keys: KeyStore;
  /** The DHT node (PROTOCOL §15), started when a session first needs it. */
  readonly dht: DhtService;
  private readonly now: () => number;
  private readonly settingsOverrides: Partial<Settings>;
  private session: BroadcastSession | WatchSession | null = null;
  private store: SegmentStore | null = null;
  private ledger: TrafficLedger;
  private gateway: HlsGateway | null = null;
  private gatewayBytesSeen = 0;
  private recorder: SegmentRecorder | null = null;
  private readonly recent: SegmentArrival[] = [];
  private counters = { received: 0, failed: 0 };
  private readonly snapshotListeners = new Set<(s: StatsSnapshot) => void>();
  private snapshotTimer: ReturnType<typeof setInterval> | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private started = false;
  private destroyed = false;

  constructor(input: EngineConfigInput, now: () => number = () => performance.now()) {
    this.config = mergeEngineConfig(input);
    this.settingsOverrides = input.settings ?? {};
    this.now = now;
    this.bus = new EngineBus(() => Date.now());
    this.settingsFile = new SettingsFile(this.config.dataDir);
    this.keys = new KeyStore(this.config.dataDir);
    this.ledger = new TrafficLedger(now);
    this.dht = new DhtService(
      () => this.config.settings,
      this.config.dht,
      (error) => this.bus.error(error),
    );
    this.bus.on((event) => this.track(event));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Saved settings first, then what the host asked for this run (e.g. CLI flags) on top.
    const { settings, problem } = await this.settingsFile.load(DEFAULT_SETTINGS);
    this.config.settings = mergeSettings(settings, this.settingsOverrides);
    if (problem) this.bus.error(problem);
    await this.applyGateway();
    this.snapshotTimer = setInterval(() => this.pushSnapshot(), this.config.snapshotIntervalMs);
    this.snapshotTimer.unref?.();
  }

  /** The HTTP gateway listens (it is on in the settings and its port could be taken). */
  get gatewayListening(): boolean {
    return this.gateway !== null;
  }

  /** The browser UI server knows its media URL only once it listens. */
  setMediaBaseUrl(url: string): void {
    this.config.mediaBaseUrl = url.replace(/\/+$/, '');
  }

  // ---- sessions ----

  startBroadcast(request: BroadcastRequest): Promise<SessionInfo> {
    return this.serialize(async () => {
      const parsed = StartBroadcastSchema.safeParse(request);
      if (!parsed.success) throw new ShoalError(ErrorCode.BAD_FOLDER, 'pick a folder to broadcast');
      const demo = 'demo' in request;
      const folder = demo ? this.config.sampleFolder : (request as { folder: string }).folder;
      if (!folder)
        throw new ShoalError(ErrorCode.BAD_FOLDER, 'the sample stream is missing from this installation');
      await this.stopSession();
      const identity = await this.keys.loadOrCreate(request.identity ?? (demo ? 'demo' : 'default'));
      const store = this.newStore();
      const session = await BroadcastSession.start({
        folder,
        identity,
        store,
        config: this.config,
        bus: this.bus,
        now: this.now,
        vodSpeed: request.vodSpeed ?? 1,
        dht: this.dht,
        // The demo is an endless live stream: a second machine can join at any time.
        loop: request.loop ?? demo,
      });
      this.adoptSession(session, store);
      return this.sessionInfo(session);
    });
  }

  stopBroadcast(): Promise<void> {
    return this.serialize(async () => {
      if (this.session?.role === 'broadcaster') await this.stopSession();
    });
  }

  watch(address: string): Promise<SessionInfo> {
    return this.serialize(async () => {
      const parsed = parseStreamAddress(address);
      await this.stopSession();
      const store = this.newStore();
      const session = await WatchSession.start({
        address: parsed,
        store,
        config: this.config,
        bus: this.bus,
        now: this.now,
        notFoundAfterMs: this.config.notFoundAfterMs,
        dht: this.dht,
      });
      this.adoptSession(session, store);
      return this.sessionInfo(session);
    });
  }

  stopWatching(): Promise<void> {
    return this.serialize(async () => {
      if (this.session?.role === 'viewer') await this.stopSession();
    });
  }

  /** Appends the watched stream (rendition 0) to a file. */
  async startRecording(file: string): Promise<void> {
    if (!this.store) throw new ShoalError(ErrorCode.BAD_SETTINGS, 'start watching before recording');
    const recorder = new SegmentRecorder({ file, rendition: 0 });
    await recorder.open();
    recorder.on('error', (e) => this.bus.error(e));
    recorder.attach(this.store);
    this.recorder = recorder;
  }

  private newStore(): SegmentStore {
    return new SegmentStore(
      { maxSegments: this.config.store.maxSegments, maxBytes: this.config.store.maxBytes },
      (err) => this.bus.error(ShoalError.internal('a store listener threw', err)),
    );
  }

  private adoptSession(session: BroadcastSession | WatchSession, store: SegmentStore): void {
    this.session = session;
    this.store = store;
    this.ledger = new TrafficLedger(this.now);
    this.counters = { received: 0, failed: 0 };
    this.recent.length = 0;
    this.bus.lastError = null;
    this.watchSwarm(session.node.swarm);
    this.gateway?.addStream(session.streamId, this.mediaStream(session, store));
    this.bus.state(session.state);
    this.pushSnapshot();
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.gateway?.removeStream(session.streamId);
    const recorder = this.recorder;
    this.recorder = null;
    await recorder?.close().catch(() => undefined);
    await session.destroy();
    this.store = null;
    this.bus.state('idle');
    this.pushSnapshot();
  }

  private watchSwarm(swarm: Swarm): void {
    swarm.on('peer-joined', (peer) =>
      this.bus.emit({
        type: 'peer-joined',
        nodeId: peer.nodeId,
        address: formatHostPort(peer.remote),
        role: peer.isBroadcaster ? 'broadcaster' : 'viewer',
      }),
    );
    swarm.on('peer-left', ({ peer, reason }) =>
      this.bus.emit({ type: 'peer-left', nodeId: peer.nodeId, reason: reason.message }),
    );
    swarm.on('segment', (s) => {
      if (s.kind !== 'media') return;
      if (s.fromBroadcasterBytes > 0) this.ledger.fromBroadcaster.record(s.fromBroadcasterBytes);
      if (s.bytes > s.fromBroadcasterBytes) this.ledger.fromPeers.record(s.bytes - s.fromBroadcasterBytes);
      this.counters.received += 1;
      this.bus.segment({
        rendition: s.rendition,
        seq: s.seq,
        bytes: s.bytes,
        source: s.from?.isBroadcaster ? 'broadcaster' : 'peer',
        from: s.from?.nodeId ?? null,
        peerBytes: s.bytes - s.fromBroadcasterBytes,
        fetchMs: s.fetchMs,
      });
    });
    swarm.on('segment-failed', ({ seq, reason }) => {
      this.counters.failed += 1;
      this.bus.emit({ type: 'segment-failed', seq, reason: reason.message });
      // The swarm asks another holder: the problem lasts until a segment arrives.
      this.bus.error(reason, true);
    });
    swarm.on('uploaded', ({ bytes }) => this.ledger.uploaded.record(bytes));
    swarm.on('error', (error) => this.bus.error(error));
  }

  private track(event: EngineEvent): void {
    if (event.type !== 'segment') return;
    this.recent.push(event.arrival);
    if (this.recent.length > RECENT_ARRIVALS) this.recent.shift();
  }

  private sessionInfo(session: BroadcastSession | WatchSession): SessionInfo {
    return {
      streamId: session.streamId,
      address: session.address,
      playlistUrl: this.playlistUrl(session.streamId),
    };
  }

  private playlistUrl(streamId: string): string {
    return `${this.config.mediaBaseUrl}/stream/${streamId}/master.m3u8`;
  }

  private mediaStream(session: BroadcastSession | WatchSession, store: SegmentStore): MediaStream {
    const swarm = session.node.swarm;
    return {
      store,
      renditions: () => swarm.streamInfo?.renditions ?? [],
      ended: () => session.isEnded,
      targetDurationMs: () => swarm.streamInfo?.targetDurationMs ?? 0,
      // A broadcaster holds what it publishes; a viewer fetches up to the edge after joining.
      ...(session instanceof WatchSession && {
        caughtUp: (rendition: number) => swarm.contiguousHead(rendition) >= swarm.liveEdge(rendition),
      }),
    };
  }

  // ---- media for the player ----

  async handleMedia(path: string): Promise<MediaResponse> {
    const session = this.session;
    const store = this.store;
    const result = await resolveMediaHeld(
      (id) => (session && store && session.streamId === id ? this.mediaStream(session, store) : undefined),
      path,
    );
    return {
      status: result.status,
      contentType: result.contentType,
      body: result.body,
      headers: result.headers,
    };
  }

  // ---- settings ----

  getSettings(): Settings {
    return { ...this.config.settings };
  }

  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.serialize(async () => {
      const before = this.config.settings;
      const next = mergeSettings(before, patch);
      if (next.joinDistanceSegments >= this.config.store.maxSegments) {
        throw new ShoalError(
          ErrorCode.BAD_SETTINGS,
          `join distance must be below the live window (${this.config.store.maxSegments} segments)`,
        );
      }
      this.config.settings = next;
      await this.settingsFile.save(next);
      const node = this.session?.node;
      if (node) {
        node.applyUploadCap(this.config);
        node.swarm.setNoUpload(next.noUpload);
        if (next.portMapping !== before.portMapping) await node.reachability.apply(this.config);
      }
      if (next.gatewayEnabled !== before.gatewayEnabled || next.gatewayPort !== before.gatewayPort)
        await this.applyGateway();
      this.pushSnapshot();
      return { ...next };
    });
  }

  private async applyGateway(): Promise<void> {
    const old = this.gateway;
    this.gateway = null;
    await old?.destroy();
    this.gatewayBytesSeen = 0;
    if (!this.config.settings.gatewayEnabled) return;
    const gateway = new HlsGateway({ port: this.config.settings.gatewayPort });
    try {
      await gateway.start();
    } catch (err) {
      this.bus.error(ShoalError.from(err, ErrorCode.IO));
      return;
    }
    this.gateway = gateway;
    if (this.session && this.store)
      gateway.addStream(this.session.streamId, this.mediaStream(this.session, this.store));
  }

  // ---- stats ----

  onSnapshot(listener: (s: StatsSnapshot) => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    return this.bus.on(listener);
  }

  private pushSnapshot(): void {
    if (this.destroyed || this.snapshotListeners.size === 0) return;
    const snapshot = this.getSnapshot();
    for (const listener of [...this.snapshotListeners]) {
      try {
        listener(snapshot);
      } catch (err) {
        this.bus.error(ShoalError.internal('a snapshot listener threw', err));
      }
    }
  }

  getSnapshot(): StatsSnapshot {
    const session = this.session;
    const now = this.now();
    if (this.gateway) {
      const served = this.gateway.stats().bytesServed;
      if (served > this.gatewayBytesSeen) this.ledger.toGateway.record(served - this.gatewayBytesSeen);
      this.gatewayBytesSeen = served;
    }
    const swarm = session?.node.swarm;
    const peers = swarm?.peerSnapshots() ?? [];
    const last = this.bus.lastError;
    return {
      at: Date.now(),
      mode: session === null ? 'idle' : session.role === 'broadcaster' ? 'broadcasting' : 'watching',
      state: session?.state ?? 'idle',
      streamId: session?.streamId ?? null,
      address: session?.address ?? null,
      shortAddress: session?.shortAddress ?? null,
      dht: {
        state: this.dht.state(),
        nodes: this.dht.nodeCount(),
        ...(session?.discovery?.status() ?? { record: 'none', message: null, peersFound: 0 }),
      },
      playlistUrl: session ? this.playlistUrl(session.streamId) : null,
      gatewayUrl: session && this.gateway ? this.gateway.urlFor(session.streamId) : null,
      peers: peers.map((p) => peerStat(p, now)),
      totals: this.ledger.totals(),
      rates: this.ledger.rates(),
      bufferSec: session instanceof WatchSession ? session.bufferedSec() : 0,
      behindLiveSec: session instanceof WatchSession ? session.behindLiveSec() : session ? 0 : null,
      gatewayPlayer:
        session instanceof WatchSession && this.gateway && this.store
          ? gatewayPlayerPosition(
              this.gateway.stats().perStream[session.streamId]?.lastMedia ?? null,
              this.store,
              Date.now(),
            )
          : null,
      path: session instanceof WatchSession ? session.pathNote() : null,
      ...(session instanceof WatchSession &&
        session.offlineCause !== null && { offlineCause: session.offlineCause }),
      segments: {
        ingested: session instanceof BroadcastSession ? session.ingested : 0,
        received: this.counters.received,
        failed: this.counters.failed,
        held: this.store?.stats().mediaSegments ?? 0,
      },
      recent: [...this.recent],
      broadcast:
        session instanceof BroadcastSession
          ? {
              folder: session.folder,
              renditions: session.renditions.length,
              viewers: peers.length,
              audience: session.node.swarm.audienceEstimate(),
              stalled: session.stalled,
            }
          : null,
      reachability: session ? withNatClass(session.node.reachability.state(), session.node.swarm) : null,
      uploadCap: session ? session.node.uploadCap() : null,
      lastError: last ? last.toJSON() : null,
    };
  }

  // ---- lifecycle ----

  /** Runs session changes one at a time, so a double click cannot start two. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    if (this.destroyed) return Promise.reject(ShoalError.closed('the engine'));
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.busy.catch(() => undefined);
    this.destroyed = true;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    await this.stopSession().catch(() => undefined);
    await this.dht.destroy();
    await this.gateway?.destroy();
    this.gateway = null;
    this.snapshotListeners.clear();
    this.bus.destroy();
  }
}

const NAT_NAMES = ['unknown', 'public', 'cone', 'symmetric'] as const;

/** Our reachability, with what hole punching learnt of our NAT (PROTOCOL §5.18) once it knows. */
function withNatClass(r: Reachability, swarm: Swarm): Reachability {
  const nat = NAT_NAMES[swarm.natClass] ?? 'unknown';
  return nat === 'unknown' ? r : { ...r, nat };
}
