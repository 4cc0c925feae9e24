import { parse, type types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { fakeSegment } from '../../../test/fakes/segments.js';
import type { SegmentEntry } from '../../protocol/types.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './playlist-writer.js';

const entries = (seqs: number[], extra: Partial<Parameters<typeof fakeSegment>[0]> = {}): SegmentEntry[] =>
  seqs.map((seq) => fakeSegment({ seq, ...extra }).entry);

const media = (text: string): types.MediaPlaylist => {
  const p = parse(text);
  if (p.isMasterPlaylist) throw new Error('expected a media playlist');
  return p;
};

describe('renderMediaPlaylist', () => {
  it('says it can block a reload only when asked, and not once the stream has ended', () => {
    const tag = '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES';
    expect(renderMediaPlaylist(entries([1, 2]))).not.toContain(tag);
    const live = renderMediaPlaylist(entries([1, 2]), { canBlockReload: true });
    expect(live.split('\n').slice(0, 5)).toContain(tag);
    expect(media(live).segments).toHaveLength(2);
    expect(renderMediaPlaylist(entries([1, 2]), { canBlockReload: true, ended: true })).not.toContain(tag);
  });

  it('writes a live MPEG-TS window that hls-parser reads back', () => {
    const text = renderMediaPlaylist(entries([5, 6, 7, 8], { durationUs: 2_002_000 }), {
      targetDurationMs: 2000,
    });
    const p = media(text);
    expect(p.mediaSequenceBase).toBe(5);
    expect(p.targetDuration).toBe(2);
    expect(p.endlist).toBe(false);
    expect(p.segments.map((s) => [s.uri, s.duration])).toEqual([
      ['5.ts', 2.002],
      ['6.ts', 2.002],
      ['7.ts', 2.002],
      ['8.ts', 2.002],
    ]);
    expect(media(renderMediaPlaylist(entries([1]), { ended: true })).endlist).toBe(true);
    expect(media(renderMediaPlaylist([])).segments).toEqual([]);
  });

  it('writes EXT-X-MAP for fMP4, again when the init changes', () => {
    const list = [...entries([1, 2], { initSeq: 0 }), ...entries([3], { initSeq: 1 })];
    const text = renderMediaPlaylist(list);
    expect(text).toContain('#EXT-X-VERSION:6');
    expect(text.match(/#EXT-X-MAP/g)).toHaveLength(2);
    const p = media(text);
    expect(p.segments.map((s) => [s.uri, s.map?.uri])).toEqual([
      ['1.m4s', 'init-0.mp4'],
      ['2.m4s', 'init-0.mp4'],
      ['3.m4s', 'init-1.mp4'],
    ]);
  });

  it('carries discontinuities and program date-time, with a stable discontinuity sequence', () => {
    const pdt = Date.UTC(2026, 0, 1, 12);
    const list = [
      ...entries([10], { discontinuity: true }),
      ...entries([11], { programDateTimeMs: pdt }),
      ...entries([12], { discontinuity: true, programDateTimeMs: pdt + 60_000 }),
    ];
    const p = media(renderMediaPlaylist(list, { discontinuitySequence: 4 }));
    expect(p.discontinuitySequenceBase).toBe(5);
    expect(p.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, true]);
    expect(p.segments[1]?.programDateTime?.getTime()).toBe(pdt);
    expect(p.segments[2]?.programDateTime?.getTime()).toBe(pdt + 60_000);
  });

  it('waits at a fresh hole and skips a hole the stream has moved past', () => {
    const seqsOf = (seqs: number[]): string[] =>
      media(renderMediaPlaylist(entries(seqs))).segments.map((s) => s.uri);
    expect(seqsOf([1, 2, 3, 5])).toEqual(['1.ts', '2.ts', '3.ts']);
    expect(seqsOf([1, 2, 4, 5, 6])).toEqual(['4.ts', '5.ts', '6.ts']);
    expect(seqsOf([1, 2, 4, 5, 6, 8])).toEqual(['4.ts', '5.ts', '6.ts']);
    expect(seqsOf([3, 2, 1])).toEqual(['1.ts', '2.ts', '3.ts']);
  });
});

describe('renderMasterPlaylist', () => {
  it('lists renditions and filters what could inject tags', () => {
    const text = renderMasterPlaylist([
      {
        rendition: {
          id: 0,
          bandwidth: 500_000,
          width: 320,
          height: 180,
          name: 'hi',
          codecs: 'avc1.64001f,mp4a.40.2',
        },
        uri: '0/live.m3u8',
      },
      {
        rendition: { id: 1, bandwidth: 0, width: 0, height: 0, name: 'x', codecs: 'avc1"\n#EXT-X-EVIL' },
        uri: '1/live.m3u8',
        measuredBandwidth: 123_456,
      },
    ]);
    expect(text).not.toContain('EVIL');
    const p = parse(text) as types.MasterPlaylist;
    expect(p.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.width, v.codecs])).toEqual([
      ['0/live.m3u8', 500_000, 320, 'avc1.64001f,mp4a.40.2'],
      ['1/live.m3u8', 123_456, undefined, undefined],
    ]);
    expect(() =>
      renderMasterPlaylist([
        { rendition: { id: 0, bandwidth: 1, width: 0, height: 0, name: '', codecs: '' }, uri: 'a\nb' },
      ]),
    ).toThrow(/unsafe/);
  });
});
