import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, appPathFromUrl, isAppUrl, mediaPathFromUrl } from './schemes.js';

describe('mediaPathFromUrl', () => {
  it('maps a playlist and a segment URL to engine paths', () => {
    expect(mediaPathFromUrl('shoal-media://media/stream/abc/master.m3u8')).toBe('/stream/abc/master.m3u8');
    expect(mediaPathFromUrl('shoal-media://media/stream/abc/0/seg000.ts?x=1')).toBe(
      '/stream/abc/0/seg000.ts',
    );
  });

  it('decodes percent escapes', () => {
    expect(mediaPathFromUrl('shoal-media://media/stream/a%20b/x.ts')).toBe('/stream/a b/x.ts');
  });

  it('rejects other schemes, hosts and credentials', () => {
    expect(mediaPathFromUrl('https://media/stream/a/x.ts')).toBeNull();
    expect(mediaPathFromUrl('shoal-media://evil/stream/a/x.ts')).toBeNull();
    expect(mediaPathFromUrl('shoal-media://u:p@media/stream/a/x.ts')).toBeNull();
    expect(mediaPathFromUrl('not a url')).toBeNull();
  });

  it('resolves dot segments the way Chromium does, so none reach the engine', () => {
    // The URL parser treats %2e%2e as "..": the result is a plain engine path that the
    // engine answers with 404, never a way out of anything.
    expect(mediaPathFromUrl('shoal-media://media/stream/%2e%2e/%2e%2e/etc/passwd')).toBe('/etc/passwd');
    expect(mediaPathFromUrl('shoal-media://media/stream/a/../b/./c.ts')).toBe('/stream/b/c.ts');
  });

  it('rejects encoded slashes with traversal, backslashes and NUL', () => {
    expect(mediaPathFromUrl('shoal-media://media/stream/..%2f..%2fsecret')).toBeNull();
    expect(mediaPathFromUrl('shoal-media://media/stream/a%5c..%5cb')).toBeNull();
    expect(mediaPathFromUrl('shoal-media://media/stream/a%00.ts')).toBeNull();
    expect(mediaPathFromUrl('shoal-media://media/stream/%zz')).toBeNull();
  });
});

describe('app URLs', () => {
  it('recognises only our renderer origin', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('shoal-app://app/assets/index-abc.js')).toBe(true);
    expect(isAppUrl('shoal-app://other/index.html')).toBe(false);
    expect(isAppUrl('shoal-app://x@app/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    expect(isAppUrl('https://app/index.html')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });

  it('gives the path of app requests', () => {
    expect(appPathFromUrl('shoal-app://app/assets/a.js?v=1')).toBe('/assets/a.js');
    expect(appPathFromUrl('shoal-media://media/x')).toBeNull();
  });
});
