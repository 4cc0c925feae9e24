// One player in a Chromium page: hls.js (the build the app bundles) on a <video>, started on a
// playlist URL, and what the person watching would see, measured in the page:
//   first frame   Watch → the first frame presented (requestVideoFrameCallback);
//   glass-to-glass  every 250 ms, wall clock − hls.playingDate (the EXT-X-PROGRAM-DATE-TIME
//                 of the frame on screen), so the figure does not depend on the player;
//   stalls        `waiting` after the first frame, and the time until `playing` again;
//   dropped       getVideoPlaybackQuality().droppedVideoFrames;
//   segment age   when hls.js has loaded a segment, how long ago its last frame was encoded
//                 (the delivery part of glass-to-glass; the rest is the player's buffer).
// The page is opened on the origin of the server it plays from (the gateway refuses other
// sites' pages, and sends no CORS headers), before Watch, so Watch costs no page load.
//
// The page loads hls.js's ES module build, the one the app's bundler takes (its `import`
// export). That build cannot start a transmuxing worker without a `workerPath`, so, as in
// the app, it transmuxes on the page's thread; the UMD build (hls.min.js) starts a worker
// from its own source, which cost the first fragment 0.25–0.3 s more here.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const HLS_ESM = readFileSync(require.resolve('hls.js/dist/hls.mjs'), 'utf8');

export interface ProbeResult {
  firstFrameMs: number | null;
  /** Glass-to-glass samples, ms. */
  g2gMs: number[];
  stalls: number;
  stallMs: number;
  droppedFrames: number;
  totalFrames: number;
  /** Per segment loaded: wall clock − the end of the segment by its program date-time, ms. */
  segmentAgeMs: number[];
  /** Media sequence number → when its last frame was encoded (program date-time + duration), ms. */
  segmentEndMs: Record<number, number>;
  fatal: string[];
  /** Watch → the first of each hls.js step (MANIFEST_LOADED, LEVEL_LOADING, LEVEL_LOADED, FRAG_LOADING, FRAG_LOADED, FRAG_BUFFERED), ms. */
  milestones: Record<string, number>;
}

export interface PlayerPage {
  start(url: string, config: Record<string, unknown> | null, watchAt: number): Promise<void>;
  result(): Promise<ProbeResult>;
  close(): Promise<void>;
}

/** Opens a page on `origin` (any path; a 404 is fine) ready to play. */
export async function openPlayerPage(browser: Browser, origin: string): Promise<PlayerPage> {
  const page: Page = await browser.newPage();
  await page.goto(`${origin}/latency-bench`);
  await page.setContent('<video muted playsinline style="width:320px;height:180px"></video>');
  await page.addScriptTag({ type: 'module', content: `${HLS_ESM}\nwindow.Hls = Hls;` });
  await page.waitForFunction('window.Hls !== undefined');
  await page.addScriptTag({ content: PAGE_SCRIPT });
  return {
    start: (url, config, watchAt) =>
      page.evaluate(`window.__start(${JSON.stringify({ url, config, watchAt })})`).then(() => undefined),
    result: () => page.evaluate('window.__probe()') as Promise<ProbeResult>,
    close: () => page.close(),
  };
}

// Plain JavaScript, as a string: tsx's transform would put helpers into a function's source.
const PAGE_SCRIPT = `
window.__start = (args) => {
  const video = document.querySelector('video');
  const hls = new Hls(args.config || {});
  const r = { firstFrameMs: null, g2gMs: [], stalls: 0, stallMs: 0, droppedFrames: 0, totalFrames: 0, fatal: [], segmentAgeMs: [], segmentEndMs: {}, milestones: {} };
  let stalledAt = null;
  hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) r.fatal.push(data.details); });
  for (const step of ['MANIFEST_LOADED', 'LEVEL_LOADING', 'LEVEL_LOADED', 'FRAG_LOADING', 'FRAG_LOADED', 'FRAG_BUFFERED']) {
    hls.on(Hls.Events[step], () => { if (r.milestones[step] === undefined) r.milestones[step] = Date.now() - args.watchAt; });
  }
  hls.on(Hls.Events.FRAG_LOADED, (_e, data) => {
    const f = data.frag;
    if (!f.programDateTime) return;
    const end = f.programDateTime + f.duration * 1000;
    r.segmentAgeMs.push(Date.now() - end);
    r.segmentEndMs[f.sn] = end;
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => undefined); });
  video.requestVideoFrameCallback(() => { r.firstFrameMs = Date.now() - args.watchAt; });
  video.addEventListener('waiting', () => {
    if (r.firstFrameMs === null || stalledAt !== null) return;
    stalledAt = Date.now();
    r.stalls++;
  });
  video.addEventListener('playing', () => {
    if (stalledAt === null) return;
    r.stallMs += Date.now() - stalledAt;
    stalledAt = null;
  });
  setInterval(() => {
    const date = hls.playingDate;
    if (r.firstFrameMs !== null && date) r.g2gMs.push(Date.now() - date.getTime());
  }, 250);
  window.__probe = () => {
    const q = video.getVideoPlaybackQuality();
    const open = stalledAt === null ? 0 : Date.now() - stalledAt;
    return { ...r, stallMs: r.stallMs + open, droppedFrames: q.droppedVideoFrames, totalFrames: q.totalVideoFrames };
  };
  hls.loadSource(args.url);
  hls.attachMedia(video);
};
`;
