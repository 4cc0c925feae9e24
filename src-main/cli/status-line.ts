// The CLI's live one-line status, from an engine snapshot.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { formatBytes, formatRate } from '../../src-shared/format.js';
import { describeReachability } from '../../src-shared/reachability-text.js';
import { describeUploadCap } from '../../src-shared/upload-cap-text.js';

/** The state as the CLI says it (states are single words, except this one). */
const STATE_WORDS: Partial<Record<StatsSnapshot['state'], string>> = {
  'broadcaster-offline': 'broadcaster offline — waiting',
};

const seconds = (sec: number | null): string => (sec === null ? '–' : `${sec.toFixed(1)} s`);

/**
 * Where the viewer is: the gateway's player (from what it fetched) when there is one, and
 * the engine, labelled as such (issue 17: a bare "buffer 0.0 s" said nothing about the picture).
 */
function positions(s: StatsSnapshot): string[] {
  const engine = `engine behind live ${seconds(s.behindLiveSec)}`;
  const player = s.gatewayPlayer;
  if (!player) return [engine];
  const behind =
    player.behindLiveSec === null ? 'player at' : `player ≥${seconds(player.behindLiveSec)} behind live, at`;
  return [`${behind} segment ${player.seq}, ${seconds(player.heldAheadSec)} held ahead`, engine];
}

export function statusLine(s: StatsSnapshot): string {
  const down = s.rates.fromBroadcasterBps + s.rates.fromPeersBps;
  const received = s.totals.fromBroadcaster + s.totals.fromPeers;
  const parts = [
    STATE_WORDS[s.state] ?? s.state,
    `peers ${s.peers.length}`,
    `up ${formatRate(s.rates.upBps)}`,
  ];
  if (s.mode === 'watching') {
    const share = received > 0 ? Math.round((100 * s.totals.fromPeers) / received) : 0;
    parts.push(
      `down ${formatRate(down)}`,
      `from peers ${share}%`,
      ...positions(s),
      `segments ${s.segments.received}`,
    );
  } else if (s.mode === 'broadcasting') {
    parts.push(`uploaded ${formatBytes(s.totals.uploaded)}`, `segments ${s.segments.ingested}`);
    if (s.broadcast?.stalled) parts.push('PLAYLIST STALLED');
  }
  if (s.dht && s.dht.record !== 'none') parts.push(`dht ${s.dht.nodes} nodes, record ${s.dht.record}`);
  if (s.path) parts.push(s.path);
  if (s.totals.toGateway > 0) parts.push(`gateway ${formatBytes(s.totals.toGateway)}`);
  if (s.reachability) parts.push(describeReachability(s.reachability));
  // A broadcaster finds no limit by itself (PROTOCOL §9.4): say so, and what to do.
  const broadcasting = s.mode === 'broadcasting';
  if (s.uploadCap && (s.uploadCap.mode !== 'none' || broadcasting))
    parts.push(describeUploadCap(s.uploadCap, broadcasting));
  if (s.lastError) parts.push(`last error: ${s.lastError.message}`);
  return parts.join(' | ');
}
