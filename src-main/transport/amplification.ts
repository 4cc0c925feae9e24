// Anti-amplification (PROTOCOL §10.4, §13.1): before an address is validated (a valid
// cookie or an established session), never send it more than 3x the bytes received from
// it. The ledger is bounded: the oldest address is forgotten first, which can only make
// a forgotten address's budget smaller (it starts again from zero received).

export const AMPLIFICATION_FACTOR = 3;

interface Entry {
  received: number;
  sent: number;
}

export class AmplificationLedger {
  private readonly entries = new Map<string, Entry>();
  limited = 0;

  constructor(private readonly maxEntries = 4096) {}

  onReceived(key: string, bytes: number): void {
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { received: 0, sent: 0 };
      this.entries.set(key, e);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
      }
    }
    e.received += bytes;
  }

  /** Records the send and returns true when it stays within the budget; false = don't send. */
  trySend(key: string, bytes: number): boolean {
    const e = this.entries.get(key);
    if (e === undefined || e.sent + bytes > AMPLIFICATION_FACTOR * e.received) {
      this.limited++;
      return false;
    }
    e.sent += bytes;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** For tests/stats. */
  ratio(key: string): number {
    const e = this.entries.get(key);
    return e === undefined || e.received === 0 ? 0 : e.sent / e.received;
  }
}
