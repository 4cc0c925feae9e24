// What a broadcaster has signed, per stream key, kept on disk so that a restarted broadcast
// continues its numbering (PROTOCOL §6.1: never two different entries for the same
// (rendition, INIT flag, seq)).
//
// One JSON file per stream in `<dataDir>/streams/<streamId>.json`:
//   { "version": 1, "streamId": "<base32>",
//     "renditions": [{ "id": 0, "nextSeq": 52, "nextInitSeq": 1, "entries": ["<base64 entry>", …] }] }
// `entries` are the newest signed entries (media and init, at most KEEP_ENTRIES), so a restart
// that finds the same segment files again republishes the very same entries. The file is
// replaced atomically (write beside, fsync, rename) and is written before the entry it adds
// is published, so a crash can never leave a published seq out of it. Its size is bounded:
// at most MAX_RENDITIONS × KEEP_ENTRIES entries of 122 bytes. It also keeps the UDP port the
// broadcast last used (`port`), so that a restart without a fixed port keeps the address.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EntryFlag } from '../protocol/constants.js';
import { decodeSegmentEntry, encodeSegmentEntry } from '../protocol/records.js';
import { verifyEntry } from '../protocol/signing.js';
import type { SegmentEntry } from '../protocol/types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

export const KEEP_ENTRIES = 48;
export const MAX_RENDITIONS = 32;
const MAX_FILE_BYTES = 1024 * 1024;

/** Where one rendition's numbering resumes, and the entries it may republish as they are. */
export interface ResumePoint {
  /** Next media seq to sign (nothing at or above it was ever signed). */
  nextSeq: number;
  nextInitSeq: number;
  /** Whether anything was signed before (a fresh stream keeps the encoder's numbering). */
  hasHistory: boolean;
  /** The seq of the newest signed media (or init) entry whose segment has this SHA-256. */
  seqOf(kind: 'media' | 'init', sha256: Uint8Array): number | undefined;
}

interface RenditionRecord {
  nextSeq: number;
  nextInitSeq: number;
  entries: SegmentEntry[];
}

interface JournalFile {
  version: 1;
  streamId: string;
  renditions: { id: number; nextSeq: number; nextInitSeq: number; entries: string[] }[];
  port?: number;
}

const isInit = (e: SegmentEntry): boolean => (e.flags & EntryFlag.INIT) !== 0;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class SequenceJournal {
  readonly file: string;
  private readonly renditions = new Map<number, RenditionRecord>();
  private writing: Promise<void> = Promise.resolve();
  private lastPort: number | null = null;

  private constructor(
    dataDir: string,
    private readonly streamId: string,
    private readonly publicKey: Uint8Array,
  ) {
    this.file = join(dataDir, 'streams', `${streamId}.json`);
  }

  /**
   * The journal of a stream. A missing file means nothing was signed, unless `keyIsNew` is
   * false: then (as for a damaged file) the numbering starts far beyond anything a lost
   * journal can have held, and `problem` says so.
   */
  static async open(
    dataDir: string,
    streamId: string,
    publicKey: Uint8Array,
    keyIsNew: boolean,
    nowMs = Date.now(),
  ): Promise<{ journal: SequenceJournal; problem: ShoalError | null }> {
    const journal = new SequenceJournal(dataDir, streamId, publicKey);
    let text: string;
    try {
      text = await readFile(journal.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (!keyIsNew) journal.startAfterLoss(nowMs);
        return { journal, problem: null };
      }
      journal.startAfterLoss(nowMs);
      return { journal, problem: ShoalError.io(`cannot read ${journal.file}`, err) };
    }
    try {
      journal.parse(text);
      return { journal, problem: null };
    } catch (err) {
      journal.renditions.clear();
      journal.startAfterLoss(nowMs);
      return {
        journal,
        problem: new ShoalError(
          ErrorCode.BAD_SETTINGS,
          `ignoring damaged ${journal.file} (${(err as Error).message}): segment numbering jumps ahead`,
        ),
      };
    }
  }

  resumePoint(rendition: number): ResumePoint {
    const r = this.renditions.get(rendition);
    const entries = r?.entries ?? [];
    return {
      nextSeq: r?.nextSeq ?? this.floor,
      nextInitSeq: r?.nextInitSeq ?? this.floor,
      hasHistory: r !== undefined || this.floor > 0,
      seqOf: (kind, sha256) => {
        const want = hex(sha256);
        for (let i = entries.length - 1; i >= 0; i--) {
          const e = entries[i]!;
          if (isInit(e) === (kind === 'init') && hex(e.sha256) === want) return e.seq;
        }
        return undefined;
      },
    };
  }

  /** The entry signed before for this (rendition, kind, seq), if the journal still holds it. */
  signed(rendition: number, kind: 'media' | 'init', seq: number): SegmentEntry | undefined {
    return this.renditions
      .get(rendition)
      ?.entries.find((e) => e.seq === seq && isInit(e) === (kind === 'init'));
  }

  /** The UDP port the stream's broadcast last used, if known. */
  get port(): number | null {
    return this.lastPort;
  }

  /** Remembers the UDP port the broadcast uses (written with the next entry). */
  usePort(port: number): void {
    this.lastPort = port;
  }

  /** Adds a signed entry and writes the journal; resolves once the file on disk holds it. */
  record(entry: SegmentEntry): Promise<void> {
    let r = this.renditions.get(entry.rendition);
    if (!r) {
      if (this.renditions.size >= MAX_RENDITIONS)
        return Promise.reject(ShoalError.resourceLimit('renditions in the sequence journal'));
      r = { nextSeq: this.floor, nextInitSeq: this.floor, entries: [] };
      this.renditions.set(entry.rendition, r);
    }
    if (isInit(entry)) r.nextInitSeq = Math.max(r.nextInitSeq, entry.seq + 1);
    else r.nextSeq = Math.max(r.nextSeq, entry.seq + 1);
    r.entries = r.entries.filter((e) => !(e.seq === entry.seq && isInit(e) === isInit(entry)));
    r.entries.push(entry);
    if (r.entries.length > KEEP_ENTRIES) r.entries.splice(0, r.entries.length - KEEP_ENTRIES);
    const text = this.serialize();
    const write = this.writing.then(() => this.write(text));
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** Seq every rendition starts from when what was signed before is unknown (0 if known). */
  private floor = 0;

  /**
   * Seconds since 2020: more than any count of segments of a second or longer signed since
   * (the key cannot be older), and below 2^32 until the year 2156.
   */
  private startAfterLoss(nowMs: number): void {
    this.floor = Math.max(0, Math.floor((nowMs - Date.UTC(2020, 0, 1)) / 1000));
  }

  private parse(text: string): void {
    if (text.length > MAX_FILE_BYTES) throw new Error('too large');
    const body = JSON.parse(text) as Partial<JournalFile>;
    if (body.version !== 1) throw new Error(`unknown version ${JSON.stringify(body.version)}`);
    if (body.streamId !== this.streamId) throw new Error('it belongs to another stream');
    if (Number.isInteger(body.port) && body.port! > 0 && body.port! < 65536) this.lastPort = body.port!;
    if (!Array.isArray(body.renditions) || body.renditions.length > MAX_RENDITIONS)
      throw new Error('bad "renditions"');
    for (const r of body.renditions) {
      const ok =
        Number.isInteger(r.id) &&
        r.id >= 0 &&
        r.id <= 255 &&
        isSeq(r.nextSeq) &&
        isSeq(r.nextInitSeq) &&
        Array.isArray(r.entries);
      if (!ok) throw new Error('bad rendition record');
      const entries = r.entries.slice(-KEEP_ENTRIES).map((b64) => {
        const entry = decodeSegmentEntry(Buffer.from(String(b64), 'base64'));
        if (entry.rendition !== r.id || !verifyEntry(this.publicKey, entry))
          throw new Error('an entry does not verify');
        const next = isInit(entry) ? r.nextInitSeq : r.nextSeq;
        if (entry.seq >= next) throw new Error('an entry lies beyond the next seq');
        return entry;
      });
      this.renditions.set(r.id, { nextSeq: r.nextSeq, nextInitSeq: r.nextInitSeq, entries });
    }
  }

  private serialize(): string {
    const body: JournalFile = {
      version: 1,
      streamId: this.streamId,
      renditions: [...this.renditions.entries()].map(([id, r]) => ({
        id,
        nextSeq: r.nextSeq,
        nextInitSeq: r.nextInitSeq,
        entries: r.entries.map((e) => encodeSegmentEntry(e).toString('base64')),
      })),
      ...(this.lastPort !== null && { port: this.lastPort }),
    };
    return `${JSON.stringify(body)}\n`;
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw ShoalError.io(`cannot save ${this.file}`, err);
    }
  }
}

function isSeq(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff_ffff;
}
