// Transport-specific ShoalErrors (codes from src-shared/errors.ts, PROTOCOL §11).

import type { PexPeer } from '../protocol/types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/** connect() was answered with REJECT: the code says why, `peers` where else to go (FULL). */
export class ConnectRejectedError extends ShoalError {
  constructor(
    code: number,
    message: string,
    readonly peers: PexPeer[],
  ) {
    super(code, message);
  }
}

/** SEGMENT_NOT_AVAILABLE (PROTOCOL §5.9): `reason` says whether to forget the holder or retry later. */
export class NotAvailableError extends ShoalError {
  constructor(
    message: string,
    readonly reason: number,
  ) {
    super(ErrorCode.NOT_AVAILABLE, message);
  }
}

/** A REJECT answer to connect(); for FULL, `peers` says where else to go. Use instead of a cast. */
export function isConnectRejected(err: unknown): err is ConnectRejectedError {
  return err instanceof ConnectRejectedError;
}

/** A SEGMENT_NOT_AVAILABLE answer; `reason` tells OVERLOADED from the rest. Use instead of a cast. */
export function isNotAvailable(err: unknown): err is NotAvailableError {
  return err instanceof NotAvailableError;
}

/**
 * Answers that arrive by the thousand under load (a busy holder's OVERLOADED, our own
 * cancellations) are expected outcomes, not faults: built without a stack trace, which
 * would say nothing and costs more than the rest of handling the answer.
 */
function stackless<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export const TransportError = {
  notAvailable: (message: string, reason: number): NotAvailableError =>
    stackless(() => new NotAvailableError(message, reason)),
  cancelled: (what: string): ShoalError => stackless(() => ShoalError.cancelled(what)),
  handshakeTimeout: (peer: string): ShoalError =>
    new ShoalError(ErrorCode.HANDSHAKE_TIMEOUT, `no answer from ${peer} to HELLO`),
  tooLarge: (what: string): ShoalError => new ShoalError(ErrorCode.TOO_LARGE, what),
  protocolViolation: (what: string): ShoalError => new ShoalError(ErrorCode.PROTOCOL_VIOLATION, what),
  fromWire: (code: number, message: string): ShoalError => new ShoalError(code, message),
};
