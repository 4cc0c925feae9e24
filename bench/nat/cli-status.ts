// The app's own view, from the CLI's status line (printed every 5 s when stderr is not a
// terminal, src-main/cli/status-line.ts), e.g.
//   playing | peers 3 | up 1.2 Mbit/s | down 1.0 Mbit/s | from peers 42% | buffer 3.1 s | … | segments 27

export interface CliStatus {
  state: string;
  peers: number;
  fromPeersPct: number | null;
  segments: number | null;
  /** The node's own reachability, e.g. "yes, via UPnP (198.18.0.11:40000)". */
  reachable: string | null;
}

/** The last status line in a CLI log, or null if it printed none. */
export function lastStatus(log: string): CliStatus | null {
  const lines = log.split(/[\r\n]+/).filter((l) => / \| peers \d+ \| /.test(l));
  const line = lines.at(-1);
  if (!line) return null;
  const num = (re: RegExp): number | null => {
    const m = re.exec(line);
    return m ? Number(m[1]) : null;
  };
  return {
    state: line.split(' | ')[0]!.trim(),
    peers: num(/\| peers (\d+)/) ?? 0,
    fromPeersPct: num(/from peers (\d+)%/),
    segments: num(/segments (\d+)/),
    reachable: /\| reachable: ([^|]+)/.exec(line)?.[1]?.trim() ?? null,
  };
}

/** Error lines the CLI printed (`shoal: …`), without repeats. */
export function cliErrors(log: string): string[] {
  const lines = log
    .split(/[\r\n]+/)
    .filter((l) => l.startsWith('shoal: ') && !l.startsWith('shoal: stopping'))
    .map((l) => l.slice(7));
  return [...new Set(lines)];
}
