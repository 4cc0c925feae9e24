// A synthetic live encoder: writes a real rolling HLS folder (random-byte `.ts` segments of
// the configured size at the real cadence, and `stream.m3u8` with EXT-X-MEDIA-SEQUENCE), so
// the broadcaster goes through the real ingest path without any video encoding. Every file
// is written to a temporary name and renamed, as ffmpeg's `temp_file` flag does; segments
// that left the playlist are deleted a little later, as `delete_segments` does.

import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed, seededBytes } from './random.js';

export interface LiveSourceOptions {
  folder: string;
  bitrateKbps: number;
  segmentSec: number;
  seed: number;
  /** Segments listed in the playlist. */
  listSize?: number;
}

const PLAYLIST = 'stream.m3u8';

export class LiveSource {
  /** Wall-clock time (ms) each segment was written, by seq. */
  readonly writtenAt = new Map<number, number>();
  private seq = 0;
  private startedAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly listSize: number;

  constructor(private readonly options: LiveSourceOptions) {
    this.listSize = Math.max(3, options.listSize ?? 6);
  }

  get segmentBytes(): number {
    return Math.round((this.options.bitrateKbps * 1000 * this.options.segmentSec) / 8);
  }

  /** Writes the first segment at once, then one per segment duration. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.writeNext();
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    // Anchored to the start time, so timer lateness never accumulates into drift.
    const dueAt = this.startedAt + this.seq * this.options.segmentSec * 1000;
    this.timer = setTimeout(
      () => {
        this.writing = this.writeNext().catch((err: unknown) => {
          console.error(`live source: ${(err as Error).message}`);
        });
        this.scheduleNext();
      },
      Math.max(0, dueAt - Date.now()),
    );
  }

  private async writeNext(): Promise<void> {
    if (this.stopped) return;
    const { folder, segmentSec, seed } = this.options;
    const seq = this.seq++;
    const name = `seg${seq}.ts`;
    await atomicWrite(join(folder, name), seededBytes(deriveSeed(seed, 'segment', seq), this.segmentBytes));
    const first = Math.max(0, seq - this.listSize + 1);
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${Math.ceil(segmentSec)}`,
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
    ];
    for (let s = first; s <= seq; s++) lines.push(`#EXTINF:${segmentSec.toFixed(3)},`, `seg${s}.ts`);
    await atomicWrite(join(folder, PLAYLIST), `${lines.join('\n')}\n`);
    this.writtenAt.set(seq, Date.now());
    // Keep a few rolled-out segments, so a reader that saw the previous playlist still finds them.
    const stale = first - 3;
    if (stale >= 0) await rm(join(folder, `seg${stale}.ts`), { force: true });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.writing;
  }
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
