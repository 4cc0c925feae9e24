// Faults inside single peer sessions (PROTOCOL §10.8): each closes only its session, so
// they are no "stream problem" for the person watching; they go to the log for whoever
// debugs the node. A hostile peer can cause one per handshake, so the log is paced:
// the first few in full, then one line per interval with how many were left out.

import type { ShoalError } from '../../src-shared/errors.js';
import type { PeerAddress } from '../protocol/types.js';

const FULL_LINES = 5;
const SUMMARY_EVERY_MS = 60_000;

export class FaultLog {
  private logged = 0;
  private suppressed = 0;
  private lastSummaryAt = -Infinity;

  constructor(
    private readonly write: (line: string) => void = (line) => console.warn(line),
    private readonly now: () => number = Date.now,
  ) {}

  sessionFault(peer: PeerAddress, error: ShoalError): void {
    if (this.logged < FULL_LINES) {
      this.logged++;
      const cause = error.cause instanceof Error ? `: ${error.cause.stack ?? error.cause.message}` : '';
      this.write(
        `[shoal] closed the session with ${peer.host}:${peer.port} (${error.codeName}) ${error.message}${cause}`,
      );
      return;
    }
    this.suppressed++;
    const now = this.now();
    if (now - this.lastSummaryAt < SUMMARY_EVERY_MS) return;
    this.lastSummaryAt = now;
    const n = this.suppressed;
    this.write(
      `[shoal] ${n} more ${n === 1 ? 'session' : 'sessions'} closed after a fault (latest: ${peer.host}:${peer.port}, ${error.message})`,
    );
    this.suppressed = 0;
  }
}
