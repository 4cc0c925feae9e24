import { describe, expect, it } from 'vitest';
import { describeFatal, recoveryFor } from './hls-recovery';

describe('recoveryFor', () => {
  it('ignores non-fatal errors (hls.js retries them itself)', () => {
    expect(recoveryFor({ fatal: false, type: 'networkError', details: 'fragLoadError' }, 0)).toBe('ignore');
  });

  it('recovers a fatal media error once, then fails', () => {
    const media = { fatal: true, type: 'mediaError', details: 'bufferAppendError' };
    expect(recoveryFor(media, 0)).toBe('recover-media');
    expect(recoveryFor(media, 1)).toBe('fail');
  });

  it('fails on a fatal network error with words for the user', () => {
    const net = { fatal: true, type: 'networkError', details: 'manifestLoadError' };
    expect(recoveryFor(net, 0)).toBe('fail');
    expect(describeFatal(net)).toMatch(/could not load/);
  });
});
