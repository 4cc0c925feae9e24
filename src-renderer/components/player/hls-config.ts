// hls.js settings for Shoal's live streams. The engine serves the playlist locally and
// may hold a segment request open while peers deliver it, so loads get generous time
// but retries start fast: a miss usually means "not here yet", not "gone".

import type { HlsConfig, LoaderConfig } from 'hls.js';

function loadPolicy(maxLoadTimeMs: number): { default: LoaderConfig } {
  return {
    default: {
      maxTimeToFirstByteMs: maxLoadTimeMs,
      maxLoadTimeMs,
      timeoutRetry: { maxNumRetry: 4, retryDelayMs: 200, maxRetryDelayMs: 1000 },
      errorRetry: { maxNumRetry: 8, retryDelayMs: 250, maxRetryDelayMs: 2000 },
    },
  };
}

export const LIVE_HLS_CONFIG: Partial<HlsConfig> = {
  // Three target durations behind the edge; the engine's join distance already decided
  // which segments exist, so hls.js need not hold back further.
  liveSyncDurationCount: 3,
  liveMaxLatencyDurationCount: 8,
  maxLiveSyncPlaybackRate: 1.1,
  lowLatencyMode: false,
  backBufferLength: 30,
  maxBufferLength: 20,
  enableWorker: true,
  startFragPrefetch: true,
  manifestLoadPolicy: loadPolicy(10_000),
  playlistLoadPolicy: loadPolicy(10_000),
  fragLoadPolicy: loadPolicy(20_000),
};
