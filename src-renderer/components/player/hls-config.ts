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
  // The engine's playlist ends at what it holds, and a player that reloads it learns of a
  // segment the moment the engine has one (blocking reload, src-main/hls/serve/held-media.ts). So
  // the player needs to sit only a segment plus a margin behind that end: 1.6 target
  // durations (3.2 s with 2 s segments). bench:latency (README "Latency"): 3.5–3.6 s
  // glass-to-glass p50 and no stall at 1.6, 3.9–4.1 s at 1.75, 8–9 s at hls.js's default 3;
  // 1.5 stalled once on a busy machine.
  liveSyncDurationCount: 1.6,
  liveMaxLatencyDurationCount: 5,
  // Low-latency mode: reload at once when the server can block, and play up to 10% faster
  // to get back to the target after a stall or a late start.
  maxLiveSyncPlaybackRate: 1.1,
  lowLatencyMode: true,
  backBufferLength: 30,
  maxBufferLength: 20,
  // hls.js's ES module build (the one bundled here) has no worker of its own: without a
  // workerPath it transmuxes on the page's thread whatever this says, and always has. Said
  // so here; a worker (the UMD build's, in bench:latency) made the first fragment take
  // 0.25–0.3 s longer to buffer.
  enableWorker: false,
  startFragPrefetch: true,
  manifestLoadPolicy: loadPolicy(10_000),
  playlistLoadPolicy: loadPolicy(10_000),
  fragLoadPolicy: loadPolicy(20_000),
};
