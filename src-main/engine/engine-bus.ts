// The engine's one typed event bus. Every UI host subscribes to it; a listener that throws
// is reported as an error event and never reaches the UDP loop that raised the event.

import type { EngineEvent, SegmentArrival, SessionState } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';

type BusEvents = { event: EngineEvent };

export class EngineBus {
  private readonly emitter: TypedEmitter<BusEvents>;
  /**
   * The latest problem, for as long as it lasts: one reported as passing (a segment that
   * failed) is over once the next segment arrives, so one bad segment does not keep
   * "Stream problem" on the Watch page for the rest of the session (issue 18 §4).
   */
  lastError: ShoalError | null = null;
  private lastErrorPasses = false;
  private reentrant = false;

  constructor(private readonly now: () => number = Date.now) {
    this.emitter = new TypedEmitter<BusEvents>((err) => {
      // Avoid a loop when the error listener itself throws.
      if (this.reentrant) return;
      this.reentrant = true;
      try {
        this.error(
          ShoalError.internal(`an engine event listener threw: ${(err as Error)?.message ?? err}`, err),
        );
      } finally {
        this.reentrant = false;
      }
    });
  }

  on(listener: (event: EngineEvent) => void): () => void {
    return this.emitter.on('event', listener);
  }

  emit(event: EngineEvent): void {
    this.emitter.emit('event', event);
  }

  /** A problem; `passing`: it is over when the next segment arrives (see lastError). */
  error(error: ShoalError, passing = false): void {
    this.lastError = error;
    this.lastErrorPasses = passing;
    this.emit({ type: 'error', error: error.toJSON() });
  }

  state(state: SessionState): void {
    this.emit({ type: 'state', state });
  }

  segment(arrival: Omit<SegmentArrival, 'at'>): void {
    if (this.lastErrorPasses) {
      this.lastError = null;
      this.lastErrorPasses = false;
    }
    this.emit({ type: 'segment', arrival: { ...arrival, at: this.now() } });
  }

  destroy(): void {
    this.emitter.removeAllListeners();
  }
}
