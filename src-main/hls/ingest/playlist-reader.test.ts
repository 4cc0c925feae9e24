import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { parsePlaylistText, readPlaylist, type MediaPlaylistInfo } from './playlist-reader.js';

const root = '/srv/hls';
const file = join(root, 'stream.m3u8');

function failure(text: string): ShoalError {
  try {
    parsePlaylistText(text, file, root);
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return err as ShoalError;
  }
  throw new Error('parsed');
}

const head = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n';

describe('parsePlaylistText', () => {
  it('reads segments with seqs, durations, byte ranges and propagated date-time', () => {
    const info = parsePlaylistText(
      `${head.replace('VERSION:3', 'VERSION:4')}#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n#EXTINF:2.0,\na.ts\n` +
        `#EXTINF:1.5,\n#EXT-X-BYTERANGE:100@20\nsub/b%20c.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\nd.ts\n`,
      file,
      root,
    ) as MediaPlaylistInfo;
    expect(info.kind).toBe('media');
    expect(info.endlist).toBe(false);
    expect(info.targetDurationMs).toBe(2000);
    expect(
      info.segments.map((s) => [s.path, s.msn, s.durationUs, s.discontinuity, s.programDateTimeMs]),
    ).toEqual([
      [join(root, 'a.ts'), 7, 2_000_000, false, Date.UTC(2026, 0, 1)],
      [join(root, 'sub/b c.ts'), 8, 1_500_000, false, Date.UTC(2026, 0, 1) + 2000],
      [join(root, 'd.ts'), 9, 2_000_000, true, 0],
    ]);
    expect(info.segments[1]?.byterange).toEqual({ offset: 20, length: 100 });
    expect(info.warnings).toEqual([]);
  });

  it('names the file and the reason for broken playlists', () => {
    expect(failure('').message).toMatch(/stream\.m3u8: is empty/);
    expect(failure('hello world').message).toMatch(/no #EXTM3U header/);
    expect(failure('#EXTM3U\n#EXTINF:2,\na.ts\n').message).toMatch(/TARGETDURATION/);
    expect(failure(`${head}#EXTINF:2,\n../../etc/passwd\n`).message).toMatch(/outside the ingest folder/);
    expect(failure(`${head}#EXTINF:2,\n/etc/passwd\n`).message).toMatch(/outside the ingest folder/);
    expect(failure(`${head}#EXTINF:2,\nhttp://example.com/a.ts\n`).message).toMatch(/remote URI/);
    expect(failure(`${head}#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:2,\na.ts\n`).message).toMatch(
      /encrypted/,
    );
    expect(failure('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n../x.m3u8\n').message).toMatch(/outside/);
    for (const text of ['', 'garbage', `${head}#EXTINF:2,\n/etc/x\n`])
      expect(failure(text).code).toBe(ErrorCode.BAD_PLAYLIST);
  });

  it('accepts common spec slips with a warning', () => {
    const info = parsePlaylistText(`${head}#EXTINF:3.9,\na.ts\n`, file, root) as MediaPlaylistInfo;
    expect(info.segments).toHaveLength(1);
    expect(info.warnings[0]).toMatch(/target duration/);
  });

  it('reads master playlists with variants and notes alternate renditions', () => {
    const info = parsePlaylistText(
      '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/en.m3u8"\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="a"\nhi/stream.m3u8\n' +
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI="iframe.m3u8"\n',
      file,
      root,
    );
    expect(info.kind).toBe('master');
    if (info.kind !== 'master') return;
    expect(info.variants).toEqual([
      {
        uri: 'hi/stream.m3u8',
        path: join(root, 'hi/stream.m3u8'),
        bandwidth: 800000,
        width: 640,
        height: 360,
        codecs: 'avc1.64001e,mp4a.40.2',
      },
    ]);
    expect(info.alternates).toEqual(['audio/en.m3u8']);
  });
});

describe('readPlaylist', () => {
  it('reports a missing file as MISSING_FILE', async () => {
    await expect(readPlaylist('/nonexistent/shoal/x.m3u8', '/nonexistent')).rejects.toMatchObject({
      code: ErrorCode.MISSING_FILE,
    });
  });
});
