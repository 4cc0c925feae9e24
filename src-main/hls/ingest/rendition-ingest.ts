// Turns successive reads of one media playlist into segments, each exactly once and in
// order. A live playlist is followed as it rolls; a finished (VOD) playlist is replayed as
// a live stream, paced at the segments' real durations. Output seqs start at the source's
// EXT-X-MEDIA-SEQUENCE number and then go up by one per segment, without holes: a segment
// that never came, or an encoder that restarts its numbering (OBS stop/start), is marked as
// a discontinuity on the next one, and seqs never go back.
// A broadcast restarted on a stream that signed segments before resumes from its journal
// (`resume`): a segment signed before (same bytes) keeps its seq, and the first new one
// takes the next seq, so the numbering neither goes back nor leaves a hole (PROTOCOL §6.1).

import { EntryFlag } from '../../protocol/constants.js';
import type { UnsignedSegmentEntry } from '../../protocol/records.js';
import type { SegmentKind } from '../../protocol/types.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import type { MediaPlaylistInfo, MediaSegmentRef } from './playlist-reader.js';
import { stampProgramDate, type DatedSegment } from './program-date.js';
import { readSegmentFile, type SegmentBytes } from './segment-reader.js';

export interface IngestedSegment {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  /** 0 for init segments. */
  durationUs: number;
  data: Buffer;
  sha256: Buffer;
  discontinuity: boolean;
  /** ms since the epoch: the playlist's EXT-X-PROGRAM-DATE-TIME, or stamped at ingest (program-date.ts). */
  programDateTimeMs: number;
  /** seq of the init segment this media segment needs (fMP4), null for MPEG-TS and for inits. */
  initSeq: number | null;
  /** Where the bytes came from, for logs. */
  file: string;
}

/** The entry (PROTOCOL §6.1) to sign for an ingested segment. */
export function unsignedEntryOf(segment: IngestedSegment): UnsignedSegmentEntry {
  return {
    rendition: segment.rendition,
    flags:
      (segment.kind === 'init' ? EntryFlag.INIT : 0) | (segment.discontinuity ? EntryFlag.DISCONTINUITY : 0),
    seq: segment.seq,
    initSeq: segment.initSeq,
    durationUs: segment.durationUs,
    size: segment.data.length,
    programDateTimeMs: segment.programDateTimeMs,
    sha256: segment.sha256,
  };
}

export interface RenditionSink {
  /** An init segment (when new) and its media segment, in that order. */
  segments(batch: IngestedSegment[]): void;
  /** A problem under `key`; null clears it. */
  problem(key: string, err: ShoalError | null): void;
  /** A segment that can never be published (too large, a link out of the folder): skipped. */
  refused(err: ShoalError): void;
  stalled(rendition: number, idleMs: number): void;
  resumed(rendition: number): void;
  ended(rendition: number): void;
}

/** Where the numbering of an earlier run of the same stream stopped (see SequenceJournal). */
export interface SeqResume {
  nextSeq: number;
  nextInitSeq: number;
  /** Anything was signed before; without history the encoder's own numbering is kept. */
  hasHistory: boolean;
  /** Seq under which a segment with these bytes was signed before, if it was. */
  seqOf(kind: 'media' | 'init', sha256: Uint8Array): number | undefined;
}

export interface RenditionIngestOptions {
  /** The broadcast folder: no file outside it is read, links followed. */
  root: string;
  /** VOD replay speed: 1 = real time, Infinity = as fast as the disk allows. */
  vodSpeed: number;
  /**
   * A finished (VOD) playlist is replayed again and again instead of ending: each replay
   * continues the numbering after a DISCONTINUITY (the demo stream, `shoal broadcast --loop`).
   */
  loopVod: boolean;
  /** The first output seq is at least this (to continue an earlier broadcast's numbering). */
  minSeq: number;
  /** On joining a live playlist, how many of its newest segments to take. */
  liveStartSegments: number;
  /** A live playlist unchanged for this many target durations is reported stalled. */
  stallTargetDurations: number;
  /**
   * A live playlist that gets EXT-X-ENDLIST ends the stream only if no new encoder run
   * replaces it within this long (OBS stop/start writes ENDLIST, then starts over).
   */
  endGraceMs: number;
  resume?: SeqResume;
}

interface CurrentInit {
  key: string;
  seq: number;
  sha256: Buffer;
}

const REMEMBERED_URIS = 256;
/**
 * A restarted broadcast republishes what it signed before, but of the segments the encoder
 * wrote meanwhile only the newest few: viewers were waiting at the live edge and go on
 * from there (a DISCONTINUITY marks the jump) instead of replaying the outage.
 */
const RESUME_NEW_SEGMENTS = 2;

interface Listed {
  uri: string;
  programDateTimeMs: number;
}

export class RenditionIngest {
  private latest: MediaPlaylistInfo | null = null;
  private mode: 'live' | 'vod' | null = null;
  private lastMsn: number | null = null;
  private lastSeq: number | null = null;
  private pendingDiscontinuity = false;
  private readonly listedByMsn = new Map<number, Listed>();
  /** Still matching segments against what an earlier run signed (see SeqResume). */
  private resuming: boolean;
  private init: CurrentInit | null = null;
  /** The last media segment emitted, for stamping dates that go forward. */
  private lastDated: DatedSegment | null = null;
  private nextInitSeq = 0;
  private vodQueue: MediaSegmentRef[] = [];
  private vodClock: { startMs: number; elapsedUs: number } | null = null;
  private fingerprint = '';
  private changedAt = 0;
  private isStalled = false;
  private isEnded = false;
  /** When the followed live playlist got ENDLIST (see endGraceMs). */
  private endlistAt: number | null = null;
  private pumping = false;
  private again = false;
  private destroyed = false;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly rendition: number,
    private readonly options: RenditionIngestOptions,
    private readonly sink: RenditionSink,
  ) {
    this.resuming = options.resume?.hasHistory ?? false;
    this.nextInitSeq = options.resume?.nextInitSeq ?? 0;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  get targetDurationMs(): number {
    return this.latest?.targetDurationMs ?? 0;
  }

  /** Feeds the latest read of the playlist; work happens asynchronously, in order. */
  update(playlist: MediaPlaylistInfo, now = Date.now()): void {
    if (this.destroyed || this.isEnded) return;
    this.latest = playlist;
    this.watchForStall(playlist, now);
    void this.pump();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
  }

  private watchForStall(playlist: MediaPlaylistInfo, now: number): void {
    const last = playlist.segments[playlist.segments.length - 1];
    const fingerprint = `${last?.msn ?? -1}/${last?.uri ?? ''}/${playlist.segments.length}/${playlist.endlist}`;
    if (fingerprint !== this.fingerprint || this.changedAt === 0) {
      this.fingerprint = fingerprint;
      this.changedAt = now;
      if (this.isStalled) {
        this.isStalled = false;
        this.sink.resumed(this.rendition);
      }
      return;
    }
    const idleMs = now - this.changedAt;
    const limit = this.options.stallTargetDurations * playlist.targetDurationMs;
    if (this.mode === 'live' && !this.isStalled && idleMs > limit) {
      this.isStalled = true;
      this.sink.stalled(this.rendition, idleMs);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.destroyed && !this.isEnded);
    } catch (err) {
      this.sink.problem(`rendition ${this.rendition}`, ShoalError.from(err));
    } finally {
      this.pumping = false;
    }
  }

  private async step(): Promise<void> {
    const playlist = this.latest;
    if (!playlist) return;
    if (this.mode === null) {
      this.mode = playlist.endlist ? 'vod' : 'live';
      if (this.mode === 'vod') this.vodQueue = [...playlist.segments];
    }
    if (this.mode === 'vod') await this.stepVod();
    else await this.stepLive(playlist);
  }

  private async stepLive(playlist: MediaPlaylistInfo): Promise<void> {
    if (this.restarted(playlist)) {
      this.lastMsn = null;
      this.init = null;
      this.listedByMsn.clear();
      this.pendingDiscontinuity = this.lastSeq !== null;
    }
    let fresh = playlist.segments.filter((s) => this.lastMsn === null || s.msn > this.lastMsn);
    if (this.lastMsn === null) fresh = fresh.slice(-this.options.liveStartSegments);
    const resumeCut = this.resuming ? fresh.length - RESUME_NEW_SEGMENTS : -1;
    for (const [i, segment] of fresh.entries()) {
      if (this.destroyed) return;
      const outcome = await this.ingest(segment, i < resumeCut && this.resuming);
      if (outcome === 'unsigned') continue;
      if (outcome === 'blocked') {
        // Still listed: wait for it. Rolled out of the playlist meanwhile: go on without it.
        if (this.stillListed(segment)) return;
        this.skip(segment);
      }
    }
    if (!playlist.endlist) this.endlistAt = null;
    else {
      this.endlistAt ??= Date.now();
      if (Date.now() - this.endlistAt >= this.options.endGraceMs) this.finish();
    }
  }

  private async stepVod(): Promise<void> {
    while (this.vodQueue.length > 0 && !this.destroyed) {
      const segment = this.vodQueue[0] as MediaSegmentRef;
      if (this.vodClock && Number.isFinite(this.options.vodSpeed)) {
        const dueMs = this.vodClock.startMs + this.vodClock.elapsedUs / 1000 / this.options.vodSpeed;
        await this.sleep(dueMs - Date.now());
        if (this.destroyed) return;
      }
      const outcome = await this.ingest(segment);
      if (outcome === 'blocked') {
        // Resume the clock from "now" once the file is back, instead of bursting to catch up.
        if (this.vodClock) this.vodClock = null;
        return;
      }
      this.vodQueue.shift();
      const elapsedUs = this.vodClock ? this.vodClock.elapsedUs : 0;
      this.vodClock = {
        startMs: this.vodClock ? this.vodClock.startMs : Date.now(),
        elapsedUs: elapsedUs + segment.durationUs,
      };
      if (this.vodQueue.length === 0 && this.options.loopVod && this.latest) {
        // Once more from the top: the numbering goes on, the player is told of the jump.
        this.vodQueue = [...this.latest.segments];
        this.pendingDiscontinuity = true;
        this.lastMsn = null;
      }
    }
    if (!this.destroyed) this.finish();
  }

  /** Reads and emits one segment (and its init when new). */
  /** `onlyIfSigned`: leave the segment out (`unsigned`) unless an earlier run signed it (see SeqResume). */
  private async ingest(
    segment: MediaSegmentRef,
    onlyIfSigned = false,
  ): Promise<'done' | 'blocked' | 'skipped' | 'unsigned'> {
    const key = `rendition ${this.rendition}`;
    let init: SegmentBytes | null = null;
    let media: SegmentBytes;
    const mapKey = segment.map ? `${segment.map.path}@${segment.map.byterange?.offset ?? ''}` : null;
    try {
      const { root } = this.options;
      if (segment.map && mapKey !== this.init?.key)
        init = await readSegmentFile(segment.map.path, root, segment.map.byterange);
      media = await readSegmentFile(segment.path, root, segment.byterange);
    } catch (err) {
      const error = ShoalError.from(err, ErrorCode.IO);
      if (error.code === ErrorCode.TOO_LARGE || error.code === ErrorCode.BAD_FOLDER) {
        // Waiting will not help (it never fits on the wire, or it is not ours to publish):
        // say so now and go on with the next segment.
        this.sink.refused(new ShoalError(error.code, `${error.message}; segment ${segment.msn} skipped`));
        this.skip(segment);
        return 'skipped';
      }
      this.sink.problem(key, error);
      return 'blocked';
    }
    if (this.destroyed) return 'blocked';
    this.sink.problem(key, null);
    if (onlyIfSigned && this.options.resume?.seqOf('media', media.sha256) === undefined) return 'unsigned';

    const seq = this.seqFor(segment, media.sha256);

    const batch: IngestedSegment[] = [];
    if (init && mapKey !== null) {
      // The same bytes under a new name (or a re-read after a restart) are not a new init.
      if (!this.init || !this.init.sha256.equals(init.sha256)) {
        const signedBefore = this.resuming ? this.options.resume?.seqOf('init', init.sha256) : undefined;
        const initSeq = signedBefore ?? this.nextInitSeq++;
        batch.push({
          rendition: this.rendition,
          kind: 'init',
          seq: initSeq,
          durationUs: 0,
          data: init.data,
          sha256: init.sha256,
          discontinuity: false,
          programDateTimeMs: 0,
          initSeq: null,
          file: segment.map!.path,
        });
        this.init = { key: mapKey, seq: initSeq, sha256: init.sha256 };
      } else {
        this.init.key = mapKey;
      }
    }
    const discontinuity = segment.discontinuity || this.pendingDiscontinuity;
    // A replayed VOD's files were written long ago: it goes live as it is published.
    const finishedAtMs = this.mode === 'vod' ? Date.now() : media.modifiedMs;
    const programDateTimeMs =
      segment.programDateTimeMs ||
      stampProgramDate(segment.durationUs, finishedAtMs, this.lastDated, discontinuity);
    this.lastDated = { programDateTimeMs, durationUs: segment.durationUs };
    batch.push({
      rendition: this.rendition,
      kind: 'media',
      seq,
      durationUs: segment.durationUs,
      data: media.data,
      sha256: media.sha256,
      discontinuity,
      programDateTimeMs,
      initSeq: segment.map && this.init ? this.init.seq : null,
      file: segment.path,
    });
    this.pendingDiscontinuity = false;
    this.remember(segment, seq);
    this.sink.segments(batch);
    return 'done';
  }

  /**
   * Goes on without a segment: its seq goes to the next one, flagged as a discontinuity, so
   * the numbering has no hole for viewers to wait on (PROTOCOL §6.1).
   */
  private skip(segment: MediaSegmentRef): void {
    this.lastMsn = segment.msn;
    this.pendingDiscontinuity = true;
  }

  /**
   * Our seq for a source segment: the first is its msn (at least minSeq), every later one the
   * next seq, so the numbering has no hole for viewers to wait on (PROTOCOL §6.1); a segment
   * after one that never came (rolled out, skipped) is flagged as a discontinuity.
   */
  private seqFor(segment: MediaSegmentRef, sha256?: Uint8Array): number {
    if (this.resuming) return this.resumedSeqFor(segment, sha256);
    if (this.lastSeq === null) return Math.max(this.options.minSeq, segment.msn);
    if (this.lastMsn !== null && segment.msn > this.lastMsn + 1) this.pendingDiscontinuity = true;
    return this.lastSeq + 1;
  }

  /**
   * After a broadcast restart: a segment signed before keeps its seq (it is the same encoder
   * run); the first one that was not continues the numbering, as a discontinuity unless it
   * directly follows the last segment signed before.
   */
  private resumedSeqFor(segment: MediaSegmentRef, sha256?: Uint8Array): number {
    const resume = this.options.resume as SeqResume;
    const known = sha256 ? resume.seqOf('media', sha256) : undefined;
    if (known !== undefined && (this.lastSeq === null || known > this.lastSeq)) return known;
    this.resuming = false;
    const seq = Math.max(resume.nextSeq, (this.lastSeq ?? -1) + 1);
    const follows =
      this.lastMsn !== null && segment.msn === this.lastMsn + 1 && this.lastSeq === resume.nextSeq - 1;
    if (!follows) this.pendingDiscontinuity = true;
    return seq;
  }

  private remember(segment: MediaSegmentRef, seq: number): void {
    this.lastMsn = segment.msn;
    this.lastSeq = seq;
    this.listedByMsn.set(segment.msn, { uri: segment.uri, programDateTimeMs: segment.programDateTimeMs });
    if (this.listedByMsn.size > REMEMBERED_URIS)
      this.listedByMsn.delete(this.listedByMsn.keys().next().value!);
  }

  private stillListed(segment: MediaSegmentRef): boolean {
    return this.latest?.segments.some((s) => s.msn === segment.msn && s.uri === segment.uri) ?? false;
  }

  /**
   * A new encoder run: the playlist's numbering went back, or it lists a known msn under
   * another name, or at another time (a new run that reuses file names and numbering;
   * EXT-X-PROGRAM-DATE-TIME moves by more than a segment, a re-listing never does).
   */
  private restarted(playlist: MediaPlaylistInfo): boolean {
    if (this.lastMsn === null) return false;
    const last = playlist.segments[playlist.segments.length - 1];
    if (last && last.msn < this.lastMsn) return true;
    const slack = Math.max(1000, playlist.targetDurationMs);
    return playlist.segments.some((s) => {
      const known = this.listedByMsn.get(s.msn);
      if (known === undefined) return false;
      if (known.uri !== s.uri) return true;
      const dated = known.programDateTimeMs > 0 && s.programDateTimeMs > 0;
      return dated && Math.abs(known.programDateTimeMs - s.programDateTimeMs) > slack;
    });
  }

  private finish(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.sink.ended(this.rendition);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      this.sleepTimer = setTimeout(() => this.wake?.(), ms);
    });
  }
}
