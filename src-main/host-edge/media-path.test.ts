import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { mediaErrorStatus, mediaPath } from './media-path.js';

describe('mediaPath (both hosts, issue 18 §7)', () => {
  it('decodes a plain engine media path', () => {
    expect(mediaPath('/stream/abc/master.m3u8')).toBe('/stream/abc/master.m3u8');
    expect(mediaPath('/stream/a%20b/x.ts')).toBe('/stream/a b/x.ts');
  });

  it('refuses traversal, NUL, backslashes, bad escapes and relative paths', () => {
    for (const p of [
      '/stream/%2e%2e/%2e%2e/etc/passwd',
      '/stream/../x',
      '/stream/./x',
      '/stream/..%2f..%2fsecret',
      '/stream/a%5c..%5cb',
      '/stream/a%00.ts',
      '/stream/%zz',
      'stream/x.ts',
    ])
      expect(mediaPath(p), p).toBeNull();
  });

  it('maps what the engine refused to 404 or 500', () => {
    expect(mediaErrorStatus(new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'x'))).toBe(404);
    expect(mediaErrorStatus(new ShoalError(ErrorCode.MISSING_FILE, 'x'))).toBe(404);
    expect(mediaErrorStatus(new Error('boom'))).toBe(500);
  });
});
