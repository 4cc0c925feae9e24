// The engine's one typed event bus. Every UI host subscribes to it; a listener that throws
// is reported as an error event and never reaches the UDP loop that raised the event.

import type { EngineEvent, SegmentArrival, SessionState } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';

type BusEvents = { event: EngineEvent };

export class EngineBus {
  private readonly emitter: TypedEmitter<BusEvents>;
  lastError: ShoalError | null = null;
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

  error(error: ShoalError): void {
    this.lastError = error;
    this.emit({ type: 'error', error: error.toJSON() });
  }

  state(state: SessionState): void {
    this.emit({ type: 'state', state });
  }

  segment(arrival: Omit<SegmentArrival, 'at'>): void {
    this.emit({ type: 'segment', arrival: { ...arrival, at: this.now() } });
  }

  destroy(): void {
    this.emitter.removeAllListeners();
  }
}
