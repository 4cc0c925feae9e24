// Records one rendition of a stream to a file (`shoal watch --record out.ts`): media
// segments are appended in seq order, whatever order they arrive in from the swarm; for
// fMP4 the init segment is written before the first media segment that needs it (and
// again if the stream switches to another init). A segment that has not come while
// `maxReorder` later ones wait is given up on, so one lost segment cannot stall the file.

import { open, type FileHandle } from 'node:fs/promises';
import type { SegmentEntry } from '../../protocol/types.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { TypedEmitter } from '../../../src-shared/typed-emitter.js';
import { kindOf, type SegmentStore } from '../../store/segment-store.js';

export interface RecorderOptions {
  file: string;
  rendition: number;
  /** First media seq to record; default: the first one that arrives. */
  startSeq?: number;
  /** How many later segments may wait for a missing one before it is skipped (default 4). */
  maxReorder?: number;
  /** Replace an existing file (default false: refuse, so a recording is never lost by accident). */
  overwrite?: boolean;
}

export interface RecorderStats {
  segmentsWritten: number;
  bytesWritten: number;
  /** Media seqs given up on. */
  skipped: number;
  /** The next media seq the file is waiting for, or null before the first. */
  nextSeq: number | null;
}

export type RecorderEvents = {
  written: { seq: number; bytes: number };
  skipped: { fromSeq: number; toSeq: number };
  /** Writing failed; the recorder has stopped. */
  error: ShoalError;
};

const KEPT_INITS = 4;

export class SegmentRecorder extends TypedEmitter<RecorderEvents> {
  private handle: FileHandle | null = null;
  private opened: Promise<void> | null = null;
  /** Segments pushed before open() has finished are written once it has (or dropped if it failed). */
  private readonly openGate: Promise<void>;
  private releaseGate!: () => void;
  private writing: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, { entry: SegmentEntry; data: Uint8Array }>();
  private readonly inits = new Map<number, Uint8Array>();
  private nextSeq: number | null;
  private writtenInit: number | null = null;
  private failed = false;
  private closed = false;
  private readonly maxReorder: number;
  private readonly counters = { segmentsWritten: 0, bytesWritten: 0, skipped: 0 };

  constructor(private readonly options: RecorderOptions) {
    super();
    this.nextSeq = options.startSeq ?? null;
    this.maxReorder = Math.max(1, options.maxReorder ?? 4);
    this.openGate = new Promise((resolve) => (this.releaseGate = resolve));
  }

  /** Creates the file. Throws IO with the reason (exists, no such folder, no permission). */
  open(): Promise<void> {
    this.opened ??= this.openFile().finally(() => this.releaseGate());
    return this.opened;
  }

  private async openFile(): Promise<void> {
    try {
      this.handle = await open(this.options.file, this.options.overwrite ? 'w' : 'wx');
    } catch (err) {
      this.failed = true;
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EEXIST' ? 'it already exists' : code === 'ENOENT' ? 'its folder does not exist' : undefined;
      throw why
        ? new ShoalError(ErrorCode.IO, `cannot record to ${this.options.file}: ${why}`, false, { cause: err })
        : ShoalError.io(`cannot record to ${this.options.file}`, err);
    }
  }

  /** Records whatever the store receives for this rendition; returns the detach function. */
  attach(store: SegmentStore): () => void {
    for (const entry of store.initEntries(this.options.rendition)) {
      const held = store.get(entry.rendition, 'init', entry.seq);
      if (held) this.push(held.entry, held.data);
    }
    return store.on('added', (e) => this.push(e.entry, e.data));
  }

  /** Hands over a segment (any rendition, any order); only this rendition's are recorded. */
  push(entry: SegmentEntry, data: Uint8Array): void {
    if (entry.rendition !== this.options.rendition || this.closed || this.failed) return;
    if (kindOf(entry) === 'init') {
      this.inits.set(entry.seq, data);
      if (this.inits.size > KEPT_INITS) this.inits.delete(Math.min(...this.inits.keys()));
    } else {
      if (this.nextSeq !== null && entry.seq < this.nextSeq) return; // late or duplicate
      this.nextSeq ??= entry.seq;
      this.pending.set(entry.seq, { entry, data });
    }
    this.drain(false);
  }

  stats(): RecorderStats {
    return { ...this.counters, nextSeq: this.nextSeq };
  }

  /** Writes what is still waiting (skipping holes), then closes the file. */
  async close(): Promise<RecorderStats> {
    if (!this.closed) {
      this.drain(true);
      this.closed = true;
      if (!this.opened) this.releaseGate(); // nothing was ever written
      await this.writing;
      await this.handle?.close().catch(() => {});
      this.handle = null;
    }
    return this.stats();
  }

  private drain(flush: boolean): void {
    while (this.nextSeq !== null && this.pending.size > 0) {
      const next = this.pending.get(this.nextSeq);
      const ready = next && (next.entry.initSeq === null || this.inits.has(next.entry.initSeq));
      if (next && ready) {
        this.pending.delete(this.nextSeq);
        this.write(next.entry, next.data);
        this.nextSeq++;
        continue;
      }
      if (!flush && this.pending.size <= this.maxReorder) return;
      // Give up on what blocks the file: a missing segment, or one whose init never came.
      const seqs = [...this.pending.keys()].filter((s) => s !== this.nextSeq || !next);
      const skipTo = next ? this.nextSeq + 1 : Math.min(...seqs);
      if (next) this.pending.delete(this.nextSeq);
      this.counters.skipped += skipTo - this.nextSeq;
      this.emit('skipped', { fromSeq: this.nextSeq, toSeq: skipTo - 1 });
      this.nextSeq = skipTo;
    }
  }

  private write(entry: SegmentEntry, data: Uint8Array): void {
    const chunks: Uint8Array[] = [];
    if (entry.initSeq !== null && entry.initSeq !== this.writtenInit) {
      chunks.push(this.inits.get(entry.initSeq) as Uint8Array);
      this.writtenInit = entry.initSeq;
    }
    chunks.push(data);
    this.writing = this.writing.then(async () => {
      await this.openGate;
      if (this.failed || !this.handle) return; // the caller of open() got that error
      try {
        let bytes = 0;
        for (const chunk of chunks) bytes += (await this.handle.write(chunk)).bytesWritten;
        this.counters.segmentsWritten++;
        this.counters.bytesWritten += bytes;
        this.emit('written', { seq: entry.seq, bytes });
      } catch (err) {
        this.failed = true;
        this.emit('error', ShoalError.io(`recording to ${this.options.file} failed`, err));
      }
    });
  }
}
