// Broadcasting: follow the encoder's HLS folder, sign every segment and the stream info
// (PROTOCOL §6), publish into the swarm, and keep the local store as the live window.
// Every entry goes into the stream's sequence journal before it is published, so a
// broadcast restarted with the same key continues the numbering and republishes, unchanged,
// the entries of segments it finds again (PROTOCOL §6.1).

import { stat } from 'node:fs/promises';
import type { SessionState } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { formatStreamAddress, shortStreamAddress } from '../../src-shared/stream-address.js';
import { StreamInfoFlag } from '../protocol/constants.js';
import { signOfflineNotice } from '../protocol/offline-notice.js';
import { signPieceMap } from '../protocol/piece-map.js';
import { signEntry, signStreamInfo } from '../protocol/signing.js';
import type { Rendition, SegmentEntry } from '../protocol/types.js';
import { FolderIngest, unsignedEntryOf, type IngestedSegment } from '../hls/ingest/folder-ingest.js';
import type { StreamIdentity } from '../store/key-store.js';
import { SequenceJournal } from '../store/sequence-journal.js';
import type { SegmentStore } from '../store/segment-store.js';
import type { EngineConfig } from './engine-config.js';
import type { EngineBus } from './engine-bus.js';
import { BroadcastDiscovery } from './broadcast-discovery.js';
import type { DhtService } from './dht-service.js';
import { StreamNode } from './stream-node.js';

/** How long a stopping broadcaster waits for its neighbours to acknowledge its OFFLINE (§5.16). */
const OFFLINE_LINGER_MS = 500;

export interface BroadcastSessionOptions {
  folder: string;
  identity: StreamIdentity;
  store: SegmentStore;
  config: EngineConfig;
  bus: EngineBus;
  now: () => number;
  /** Replay speed for a finished (VOD) playlist; 1 = real time. */
  vodSpeed?: number;
  /** The engine's DHT: the stream's record is kept there (PROTOCOL §15); absent or off = not. */
  dht?: DhtService;
  /** Replay a finished (VOD) playlist endlessly (the demo stream); default: it ends. */
  loop?: boolean;
}

/** How long Go Live waits for the router's first answer before showing the address. */
const FIRST_MAPPING_WAIT_MS = 3000;

export class BroadcastSession {
  readonly role = 'broadcaster' as const;
  state: SessionState = 'connecting';
  stalled = false;
  ingested = 0;
  renditions: Rendition[] = [];
  address = '';
  private ended = false;
  private createdAtMs = Date.now();
  /** Ingest events are handled one after another: a segment waits for the journal write. */
  private queue: Promise<void> = Promise.resolve();
  private journalFailed = false;
  /** The stream's record on the DHT. */
  discovery: BroadcastDiscovery | null = null;

  private constructor(
    private readonly options: BroadcastSessionOptions,
    readonly node: StreamNode,
    private readonly ingest: FolderIngest,
    private readonly journal: SequenceJournal,
  ) {}

  get streamId(): string {
    return this.options.identity.streamId;
  }

  get folder(): string {
    return this.options.folder;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  static async start(options: BroadcastSessionOptions): Promise<BroadcastSession> {
    await checkFolder(options.folder);
    const { identity } = options;
    const { journal, problem } = await SequenceJournal.open(
      options.config.dataDir,
      identity.streamId,
      identity.publicKey,
      identity.created,
    );
    if (problem) options.bus.error(problem);
    const node = await StreamNode.open({
      role: 'broadcaster',
      streamId: options.identity.publicKey,
      bootstrap: [],
      store: options.store,
      config: options.config,
      now: options.now,
      // Without a fixed port, the one used last keeps the stream address across restarts.
      preferredPort: journal.port,
    });
    journal.usePort(node.port);
    const ingest = new FolderIngest(
      {
        folder: options.folder,
        vodSpeed: options.vodSpeed ?? 1,
        loopVod: options.loop ?? false,
        resume: (rendition) => journal.resumePoint(rendition),
      },
      (err) => options.bus.error(ShoalError.internal('an ingest listener threw', err)),
    );
    const session = new BroadcastSession(options, node, ingest, journal);
    session.wire();
    // The address shows the router's mapping once there is one (README "Port mapping"): wait
    // briefly for the router's first answer, and follow later changes (a renewal on a new port).
    await node.reachability.firstAnswer(FIRST_MAPPING_WAIT_MS);
    node.reachability.onChange(() => session.readdress());
    session.readdress();
    if (options.dht && options.config.settings.dhtEnabled) {
      session.discovery = new BroadcastDiscovery(
        options.dht,
        identity,
        node,
        options.config,
        () => undefined,
        (error) => options.bus.error(error),
      );
    }
    node.swarm.start();
    ingest.start();
    try {
      await session.firstSign(3000);
    } catch (err) {
      await session.destroy();
      throw err;
    }
    return session;
  }

  private readdress(): void {
    this.address = formatStreamAddress({
      streamId: this.options.identity.streamId,
      bootstrap: [this.node.reachability.advertisedEndpoint(this.options.config.advertiseHost)],
    });
  }

  private wire(): void {
    const { bus } = this.options;
    this.ingest.on('renditions', (renditions) => {
      this.renditions = renditions;
      this.publishInfo();
    });
    this.ingest.on('segment', (segment) => this.enqueue(() => this.publishSegment(segment)));
    this.ingest.on('error', (error) => bus.error(error));
    this.ingest.on('stalled', ({ idleMs }) => {
      this.stalled = true;
      bus.error(
        new ShoalError(
          ErrorCode.BAD_PLAYLIST,
          `the playlist has not changed for ${Math.round(idleMs / 1000)} s: is the encoder still running?`,
        ),
      );
    });
    this.ingest.on('resumed', () => {
      this.stalled = false;
    });
    this.ingest.on('ended', () =>
      this.enqueue(() => {
        this.ended = true;
        this.publishInfo();
        this.setState('ended');
      }),
    );
  }

  private enqueue(work: () => void | Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      this.options.bus.error(ShoalError.internal('publishing a segment failed', err));
    });
  }

  /** Resolves once the folder shows a playlist; rejects with the first problem if it does not. */
  private firstSign(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(done, timeoutMs);
      const offR = this.ingest.on('renditions', () => done());
      const offE = this.ingest.on('error', (error) => done(error));
      function done(error?: ShoalError): void {
        clearTimeout(timer);
        offR();
        offE();
        if (error) reject(error);
        else resolve();
      }
    });
  }

  private publishInfo(): void {
    const { identity } = this.options;
    const info = signStreamInfo(identity.privateKey, identity.publicKey, {
      flags: StreamInfoFlag.LIVE | (this.ended ? StreamInfoFlag.ENDED : 0),
      createdAtMs: this.ended ? Date.now() : this.createdAtMs,
      targetDurationMs: this.ingest.targetDurationMs || 2000,
      renditions: this.renditions,
    });
    this.node.swarm.setInfo(info);
  }

  private async publishSegment(segment: IngestedSegment): Promise<void> {
    const { identity, bus } = this.options;
    const entry = await this.entryFor(segment);
    if (!entry) return;
    if (!this.node.swarm.streamInfo) this.publishInfo();
    // PROTOCOL §6.4: media segments also get a signed piece map, so viewers relay them piece by piece.
    const map =
      segment.kind === 'media' && entry.size > 0 && this.options.config.swarm.pieces
        ? signPieceMap(identity.privateKey, identity.publicKey, entry, segment.data)
        : undefined;
    this.node.swarm.publish(entry, segment.data, map);
    if (segment.kind === 'media') {
      this.ingested += 1;
      bus.segment({
        rendition: segment.rendition,
        seq: segment.seq,
        bytes: segment.data.length,
        source: 'ingest',
        from: null,
        fetchMs: 0,
      });
      if (this.state === 'connecting') this.setState('playing');
    }
  }

  /**
   * The signed entry for a segment: the one signed before for its seq (a restart that found
   * the same segment again), else a new one, journalled before it is published. Null when the
   * seq was signed before for other bytes: PROTOCOL §6.1 forbids a second entry.
   */
  private async entryFor(segment: IngestedSegment): Promise<SegmentEntry | null> {
    const { identity, bus } = this.options;
    const before = this.journal.signed(segment.rendition, segment.kind, segment.seq);
    if (before) {
      if (Buffer.from(before.sha256).equals(segment.sha256)) return before;
      bus.error(
        ShoalError.internal(
          `segment ${segment.seq} of rendition ${segment.rendition} was signed before with other bytes: not published`,
        ),
      );
      return null;
    }
    const entry = signEntry(identity.privateKey, identity.publicKey, unsignedEntryOf(segment));
    try {
      await this.journal.record(entry);
      this.journalFailed = false;
    } catch (err) {
      // Publishing anyway keeps the stream going; a restart may then reuse this seq.
      if (!this.journalFailed) bus.error(ShoalError.from(err, ErrorCode.IO));
      this.journalFailed = true;
    }
    return entry;
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.bus.state(state);
  }

  /** `shoal://<id>`, once the stream's record is stored on the DHT. */
  get shortAddress(): string | null {
    return this.discovery?.published ? shortStreamAddress(this.streamId) : null;
  }

  async destroy(): Promise<void> {
    this.discovery?.destroy();
    await this.ingest.destroy();
    await this.queue;
    this.announceOffline();
    await this.node.swarm.settle(OFFLINE_LINGER_MS);
    await this.node.destroy();
  }

  /**
   * PROTOCOL §5.16: a live stream that stops without ending tells the swarm, so every viewer
   * (not only our neighbours, who also get our GOODBYE) says "broadcaster offline" at once.
   */
  private announceOffline(): void {
    const nextSeq = this.node.swarm.liveEdge(0) + 1;
    if (this.ended || nextSeq === 0) return;
    const { identity } = this.options;
    this.node.swarm.announceOffline(
      signOfflineNotice(identity.privateKey, identity.publicKey, { nextSeq, stoppedAtMs: Date.now() }),
    );
  }
}

async function checkFolder(folder: string): Promise<void> {
  let info;
  try {
    info = await stat(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShoalError(
      ErrorCode.BAD_FOLDER,
      code === 'ENOENT'
        ? `folder ${folder} does not exist`
        : `cannot open ${folder}: ${code ?? (err as Error).message}`,
    );
  }
  if (!info.isDirectory() && !folder.endsWith('.m3u8')) {
    throw new ShoalError(
      ErrorCode.BAD_FOLDER,
      `${folder} is not a folder (pick the folder your encoder writes HLS into)`,
    );
  }
}
