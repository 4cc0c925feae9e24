// What one lab run is: the stream, the capacities, the impairments, and how the run is
// carried out. Scenario presets (scenarios.ts) and command-line options produce one.

export interface CapacityClass {
  /** Upload cap as a multiple of the stream bitrate; Infinity = unlimited. */
  multiple: number;
  /** Share of the viewers in this class (the shares are normalised). */
  share: number;
}

export interface LabConfig {
  scenario: string;
  viewers: number;
  bitrateKbps: number;
  segmentSec: number;
  /** Broadcaster upload cap, multiple of the bitrate. */
  broadcasterUp: number;
  viewerUp: CapacityClass[];
  /** Share of datagrams lost, on every node's outgoing side. */
  loss: number;
  /** Share of the viewers replaced per minute. */
  churnPerMin: number;
  /** Share of departures that are crashes (no GOODBYE) rather than clean exits. */
  churnAbrupt: number;
  /** Seconds from the first viewer's join to the end. */
  durationSec: number;
  /** Seconds over which the initial viewers join. */
  rampSec: number;
  seed: number;
  /** Viewer worker processes. */
  workers: number;
  broadcasterPeers: number;
  pushFanout: number;
  maxPeers: number;
  joinDistance: number;
  /** Startup buffer of the playback model, in segments. */
  startupSegments: number;
  /** Relay piece by piece (PROTOCOL §7.3); false = whole segments only. */
  pieces: boolean;
  outDir: string;
  chart: boolean;
  /** Also write the raw record (every arrival, every counter sample). */
  raw: boolean;
  /** Folder for a V8 CPU profile of every engine process (node --cpu-prof), or null. */
  cpuProfDir: string | null;
}

/** Upload cap in kbps for a multiple of the bitrate; null = unlimited. The engine's floor is 64 kbps. */
export function capKbps(bitrateKbps: number, multiple: number): number | null {
  if (!Number.isFinite(multiple)) return null;
  return Math.max(64, Math.round(bitrateKbps * multiple));
}

/** Capacity class of each of `n` viewers, in the shares given, in a fixed order. */
export function assignClasses(classes: CapacityClass[], n: number): number[] {
  const total = classes.reduce((s, c) => s + c.share, 0);
  const out: number[] = [];
  let carried = 0;
  classes.forEach((c, i) => {
    const exact = (c.share / total) * n + carried;
    const count = i === classes.length - 1 ? n - out.length : Math.round(exact);
    carried = exact - count;
    for (let k = 0; k < count && out.length < n; k++) out.push(i);
  });
  return out;
}

/**
 * Kumar, Liu and Ross (INFOCOM 2007): the highest rate a P2P swarm can stream to N viewers
 * is r_max = min(u_s, (u_s + Σ u_i) / N). Capacities and result in kbps.
 */
export function maxStreamingRate(serverKbps: number, viewerKbps: number[]): number {
  const n = viewerKbps.length;
  if (n === 0) return serverKbps;
  const sum = viewerKbps.reduce((s, u) => s + u, 0);
  return Math.min(serverKbps, (serverKbps + sum) / n);
}
