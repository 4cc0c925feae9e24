// When did each viewer have each segment, in order? Every viewer runs with
// `shoal watch --record`, which appends segments to a file in seq order (skipping one that
// never comes). The lab polls those files and matches what was appended, byte for byte,
// against ffmpeg's segment files: a segment counts as arrived when it is complete in the
// recording, i.e. when a player reading the stream in order could have played it.

import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const PROBE = 4096;

interface SourceSegment {
  index: number;
  data: Buffer;
  /** When ffmpeg finished it (the file's mtime: ffmpeg writes to a temporary name, then renames). */
  doneAt: number;
}

export class SourceSegments {
  private readonly byIndex = new Map<number, SourceSegment>();

  constructor(private readonly folder: string) {}

  /** Loads the segment files ffmpeg has finished since the last call. */
  async refresh(): Promise<void> {
    for (const name of await readdir(this.folder)) {
      const m = /^seg(\d+)\.ts$/.exec(name);
      if (!m || this.byIndex.has(Number(m[1]))) continue;
      const path = join(this.folder, name);
      const [data, st] = await Promise.all([readFile(path), stat(path)]);
      this.byIndex.set(Number(m[1]), { index: Number(m[1]), data, doneAt: st.mtimeMs });
    }
  }

  get(index: number): SourceSegment | undefined {
    return this.byIndex.get(index);
  }

  /** The segment whose first bytes are `head`, looking from index `from` on. */
  find(head: Buffer, from: number): SourceSegment | undefined {
    for (const s of [...this.byIndex.values()].sort((a, b) => a.index - b.index))
      if (s.index >= from && s.data.length >= head.length && s.data.subarray(0, head.length).equals(head))
        return s;
    return undefined;
  }

  doneAt(): Map<number, number> {
    return new Map([...this.byIndex.values()].map((s) => [s.index, s.doneAt]));
  }

  /** Sum of segment bytes and count, for the measured source bitrate. */
  totals(): { bytes: number; count: number } {
    let bytes = 0;
    for (const s of this.byIndex.values()) bytes += s.data.length;
    return { bytes, count: this.byIndex.size };
  }
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** One viewer's recording: source segment index → when it was complete in the file (ms). */
export class RecordingTracker {
  readonly arrivals = new Map<number, number>();
  /** Bytes at the end of the recording not (yet) matched to a source segment. */
  unmatchedBytes = 0;
  private offset = 0;
  private next: number | null = null;

  constructor(
    readonly file: string,
    private readonly source: SourceSegments,
  ) {}

  async poll(now: number): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    this.unmatchedBytes = size - this.offset;
    while (size > this.offset) {
      const expected = this.next === null ? undefined : this.source.get(this.next);
      if (expected && size - this.offset >= expected.data.length) {
        const bytes = await readAt(this.file, this.offset, expected.data.length);
        if (bytes.equals(expected.data)) {
          this.arrivals.set(expected.index, now);
          this.offset += expected.data.length;
          this.next = expected.index + 1;
          this.unmatchedBytes = size - this.offset;
          continue;
        }
      }
      // First segment, or the recorder skipped one: find which segment starts here.
      if (size - this.offset < PROBE) return;
      const head = await readAt(this.file, this.offset, PROBE);
      if (expected && expected.data.subarray(0, PROBE).equals(head)) return; // still being written
      const found = this.source.find(head, this.next ?? 0);
      if (!found) return; // not loaded from the source folder yet
      this.next = found.index;
    }
  }
}
