// Ingest of the HLS folder a broadcaster's encoder (OBS, ffmpeg) writes: finds the
// playlist, follows it (chokidar for promptness, a polling timer because some writers
// replace files atomically in ways watchers miss), and emits every listed segment once, in
// order, with its bytes and SHA-256. It only ever reads the folder.
//
// Problems (missing folder, no playlist, broken playlist, listed file missing) are `error`
// events, never exceptions: ingest keeps checking and carries on by itself once the folder
// is fixed (`resumed`). A problem is reported only when it persists for a second check, so
// a playlist caught mid-write by a non-atomic writer does not raise a false alarm.

import { watch, type FSWatcher } from 'chokidar';
import { relative, sep } from 'node:path';
import type { Rendition } from '../../protocol/types.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { TypedEmitter } from '../../../src-shared/typed-emitter.js';
import { locatePlaylist, type IngestLayout } from './playlist-locator.js';
import { readPlaylist } from './playlist-reader.js';
import {
  RenditionIngest,
  type IngestedSegment,
  type RenditionSink,
  type SeqResume,
} from './rendition-ingest.js';

export { unsignedEntryOf, type IngestedSegment, type SeqResume } from './rendition-ingest.js';

export interface FolderIngestOptions {
  /** The folder the encoder writes to, or one .m3u8 file in it. */
  folder: string;
  /** How often the playlist is re-read even without watcher events (ms). */
  pollIntervalMs?: number;
  /** VOD replay speed: 1 = real time (default), Infinity = no pacing. */
  vodSpeed?: number;
  /** Replay a finished (VOD) playlist endlessly instead of ending (default false). */
  loopVod?: boolean;
  /** Output seqs start at least here (to continue an earlier broadcast's numbering). */
  minSeq?: number;
  /** Per rendition, where an earlier run of this stream stopped (takes precedence over minSeq). */
  resume?: ((rendition: number) => SeqResume) | null;
  /** On joining a live playlist, how many of its newest segments to take (default 10). */
  liveStartSegments?: number;
  /** `stalled` after the live playlist is unchanged this many target durations (default 3). */
  stallTargetDurations?: number;
  /**
   * A live playlist's ENDLIST ends the stream only if no new encoder run starts within this
   * long (default 10 s): an encoder restart (OBS stop/start) carries on the same stream.
   */
  endGraceMs?: number;
  /** Use chokidar besides polling (default true). */
  watch?: boolean;
}

export type FolderIngestEvents = {
  /** The renditions found; always before the first segment, again if they change. */
  renditions: Rendition[];
  segment: IngestedSegment;
  /** Non-fatal: ingest keeps trying. */
  error: ShoalError;
  stalled: { rendition: number; idleMs: number };
  /** A reported problem or stall is over (rendition null: the folder as a whole). */
  resumed: { rendition: number | null };
  /** Every rendition's playlist has ended (ENDLIST, or the end of a replayed VOD). Ingest then stops. */
  ended: { renditions: number[] };
};

/** How long a problem must persist before it is reported, and how soon it is re-checked. */
const PROBLEM_GRACE_MS = 150;
const RECHECK_MS = 200;

interface Problem {
  message: string;
  since: number;
  reported: boolean;
  rendition: number | null;
}

export class FolderIngest extends TypedEmitter<FolderIngestEvents> {
  private readonly options: Required<FolderIngestOptions>;
  private layout: IngestLayout | null = null;
  private announced: Rendition[] | null = null;
  private readonly ingests: RenditionIngest[] = [];
  private readonly problems = new Map<string, Problem>();
  private readonly warned = new Set<string>();
  private watcher: FSWatcher | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;
  private checking = false;
  private checkAgain = false;
  private started = false;
  private stopped = false;
  private hasEnded = false;

  constructor(options: FolderIngestOptions, onListenerError?: (err: unknown, event: string) => void) {
    super(onListenerError);
    this.options = {
      pollIntervalMs: 500,
      vodSpeed: 1,
      loopVod: false,
      minSeq: 0,
      resume: null,
      liveStartSegments: 10,
      stallTargetDurations: 3,
      endGraceMs: 10_000,
      watch: true,
      ...options,
    };
    if (!(this.options.vodSpeed > 0)) throw new ShoalError(ErrorCode.BAD_SETTINGS, 'vodSpeed must be > 0');
    this.options.pollIntervalMs = Math.max(50, this.options.pollIntervalMs);
    this.options.stallTargetDurations = Math.max(0.5, this.options.stallTargetDurations);
  }

  /** The renditions announced so far (empty before the playlist is found). */
  get renditions(): Rendition[] {
    return this.announced ?? [];
  }

  /** Largest EXT-X-TARGETDURATION seen across renditions, in ms (0 before the first read). */
  get targetDurationMs(): number {
    return Math.max(0, ...this.ingests.map((i) => i.targetDurationMs));
  }

  /** The playlist being followed, once found. */
  get playlistFile(): string | null {
    return this.layout?.file ?? null;
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.pollTimer = setInterval(() => void this.check(), this.options.pollIntervalMs);
    void this.check();
  }

  async destroy(): Promise<void> {
    await this.stop();
    for (const ingest of this.ingests) ingest.destroy();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.pollTimer = this.soonTimer = null;
    await this.closeWatcher();
  }

  /** One pass over the folder; passes never overlap (a request during one runs right after). */
  private async check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.checkAgain = false;
        await this.checkOnce();
      } while (this.checkAgain && !this.stopped);
    } catch (err) {
      this.emit('error', ShoalError.internal('folder ingest failed unexpectedly', err));
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped) return;
    if (!this.layout) {
      let layout: IngestLayout;
      try {
        layout = await locatePlaylist(this.options.folder);
      } catch (err) {
        const error = ShoalError.from(err, ErrorCode.BAD_FOLDER);
        this.note('folder', null, error);
        if (error.code === ErrorCode.BAD_FOLDER) await this.closeWatcher();
        return;
      }
      if (this.stopped) return;
      this.clear('folder');
      this.adopt(layout);
    }
    const layout = this.layout as IngestLayout;
    const now = Date.now();
    for (const [id, path] of layout.playlists.entries()) {
      const ingest = this.ingests[id] as RenditionIngest;
      if (ingest.ended) continue;
      try {
        const playlist = await readPlaylist(path, layout.root);
        if (this.stopped) return;
        if (playlist.kind !== 'media')
          throw ShoalError.badPlaylist(path, 'is a master playlist where a media playlist was expected');
        this.clear(`playlist ${id}`);
        for (const w of playlist.warnings) this.warnOnce(ShoalError.badPlaylist(path, w));
        ingest.update(playlist, now);
      } catch (err) {
        const error = ShoalError.from(err, ErrorCode.BAD_PLAYLIST);
        this.note(`playlist ${id}`, id, error);
        // The encoder may have rewritten the folder's layout: look again from the top.
        if (error.code === ErrorCode.MISSING_FILE) this.layout = null;
      }
    }
  }

  private adopt(layout: IngestLayout): void {
    this.layout = layout;
    for (const w of layout.warnings) this.warnOnce(ShoalError.badPlaylist(layout.file, w));
    for (let id = this.ingests.length; id < layout.playlists.length; id++) {
      this.ingests.push(new RenditionIngest(id, this.ingestOptions(layout.root, id), this.sinkFor(id)));
    }
    // A lone media playlist says nothing about its bit rate: announce it with the first segment.
    if (layout.isMaster) this.announce(layout.renditions);
    if (this.options.watch) this.ensureWatcher(layout);
  }

  private announce(renditions: Rendition[]): void {
    if (this.announced && JSON.stringify(this.announced) === JSON.stringify(renditions)) return;
    this.announced = renditions;
    this.emit('renditions', renditions);
  }

  private sinkFor(id: number): RenditionSink {
    return {
      segments: (batch) => {
        if (this.stopped) return;
        if (!this.announced) {
          const media = batch.find((s) => s.kind === 'media') as IngestedSegment;
          const bandwidth =
            media.durationUs > 0 ? Math.round((media.data.length * 8 * 1e6) / media.durationUs) : 0;
          this.announce(
            (this.layout?.renditions ?? []).map((r) => ({ ...r, bandwidth: r.bandwidth || bandwidth })),
          );
        }
        for (const segment of batch) this.emit('segment', segment);
      },
      problem: (key, err) => (err ? this.note(key, id, err) : this.clear(key)),
      // Not a passing state that a second look might clear: report it at once (once per
      // segment, since the segment is skipped).
      refused: (err) => {
        if (!this.stopped) this.emit('error', err);
      },
      stalled: (rendition, idleMs) => this.emit('stalled', { rendition, idleMs }),
      resumed: (rendition) => this.emit('resumed', { rendition }),
      ended: () => {
        if (this.hasEnded || !this.ingests.every((i) => i.ended)) return;
        this.hasEnded = true;
        void this.stop();
        this.emit('ended', { renditions: this.ingests.map((_, i) => i) });
      },
    };
  }

  private ingestOptions(root: string, rendition: number) {
    return {
      root,
      resume: this.options.resume?.(rendition),
      vodSpeed: this.options.vodSpeed,
      loopVod: this.options.loopVod,
      minSeq: this.options.minSeq,
      liveStartSegments: Math.max(1, this.options.liveStartSegments),
      stallTargetDurations: this.options.stallTargetDurations,
      endGraceMs: Math.max(0, this.options.endGraceMs),
    };
  }

  private note(key: string, rendition: number | null, error: ShoalError): void {
    const now = Date.now();
    const held = this.problems.get(key);
    if (!held || held.message !== error.message) {
      this.problems.set(key, { message: error.message, since: now, reported: false, rendition });
      this.checkSoon();
      return;
    }
    if (!held.reported && now - held.since >= PROBLEM_GRACE_MS) {
      held.reported = true;
      this.emit('error', error);
    } else if (!held.reported) {
      this.checkSoon();
    }
  }

  private clear(key: string): void {
    const held = this.problems.get(key);
    if (!held) return;
    this.problems.delete(key);
    if (held.reported) this.emit('resumed', { rendition: held.rendition });
  }

  private warnOnce(error: ShoalError): void {
    if (this.warned.has(error.message)) return;
    this.warned.add(error.message);
    this.emit('error', error);
  }

  private checkSoon(): void {
    if (this.soonTimer || this.stopped || !this.started) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      void this.check();
    }, RECHECK_MS);
  }

  private ensureWatcher(layout: IngestLayout): void {
    if (this.watcher || this.stopped) return;
    const depth = Math.max(0, ...layout.playlists.map((p) => relative(layout.root, p).split(sep).length - 1));
    let watcher: FSWatcher;
    try {
      watcher = watch(layout.root, {
        ignoreInitial: true,
        depth,
        // Only playlists matter: a segment counts once a playlist lists it.
        ignored: (path, stats) => stats?.isFile() === true && !path.toLowerCase().endsWith('.m3u8'),
      });
    } catch {
      return; // polling alone still works
    }
    watcher.on('all', () => void this.check());
    watcher.on('error', () => void this.closeWatcher()); // polling carries on alone
    this.watcher = watcher;
  }

  private async closeWatcher(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = null;
    if (watcher) await watcher.close().catch(() => {});
  }
}
