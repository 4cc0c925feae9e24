// One error model for the whole app: a numeric code grouped in ranges per layer
// (PROTOCOL §11), a stable upper-case name, and a `fatal` flag that says whether the
// component that raised it can go on. Shared so the UI can show the same codes.

export const ErrorCode = {
  // 0x00xx — wire / protocol (PROTOCOL §11.1)
  MALFORMED: 0x0001,
  UNSUPPORTED_VERSION: 0x0002,
  BAD_COOKIE: 0x0003,
  STREAM_NOT_FOUND: 0x0004,
  FULL: 0x0005,
  PROTOCOL_VIOLATION: 0x0006,
  TOO_LARGE: 0x0007,
  // 0x01xx — transport / session (PROTOCOL §11.2)
  PEER_TIMEOUT: 0x0101,
  PEER_GONE: 0x0102,
  DEADLINE_EXCEEDED: 0x0103,
  CANCELLED: 0x0104,
  NOT_AVAILABLE: 0x0105,
  RESOURCE_LIMIT: 0x0106,
  HANDSHAKE_TIMEOUT: 0x0107,
  CLOSED: 0x0108,
  // 0x02xx — integrity / swarm (PROTOCOL §11.3)
  BAD_SIGNATURE: 0x0201,
  HASH_MISMATCH: 0x0202,
  BANNED: 0x0203,
  NO_PEERS: 0x0204,
  // 0x03xx — local: ingest, settings, addresses, I/O (never sent on the wire)
  BAD_ADDRESS: 0x0301,
  BAD_FOLDER: 0x0302,
  BAD_PLAYLIST: 0x0303,
  MISSING_FILE: 0x0304,
  BAD_SETTINGS: 0x0305,
  IO: 0x0306,
  BAD_KEY_FILE: 0x0307,
  INTERNAL: 0x03ff,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

const NAMES = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((k) => [ErrorCode[k], k]),
);

export function errorCodeName(code: number): ErrorCodeName | `UNKNOWN_0x${string}` {
  return NAMES.get(code) ?? `UNKNOWN_0x${code.toString(16).padStart(4, '0')}`;
}

export class ShoalError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly fatal: boolean;

  constructor(code: number, message: string, fatal = false, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShoalError';
    this.code = code;
    this.codeName = errorCodeName(code);
    this.fatal = fatal;
  }

  static malformed(what: string): ShoalError {
    return new ShoalError(ErrorCode.MALFORMED, `malformed datagram: ${what}`);
  }
  static truncated(what: string): ShoalError {
    return new ShoalError(ErrorCode.MALFORMED, `truncated ${what}`);
  }
  static peerTimeout(peer: string): ShoalError {
    return new ShoalError(ErrorCode.PEER_TIMEOUT, `peer ${peer} went silent`);
  }
  static peerGone(peer: string, why = 'said goodbye'): ShoalError {
    return new ShoalError(ErrorCode.PEER_GONE, `peer ${peer} ${why}`);
  }
  static deadline(what: string): ShoalError {
    return new ShoalError(ErrorCode.DEADLINE_EXCEEDED, `${what} missed its deadline`);
  }
  static cancelled(what: string): ShoalError {
    return new ShoalError(ErrorCode.CANCELLED, `${what} was cancelled`);
  }
  static notAvailable(what: string): ShoalError {
    return new ShoalError(ErrorCode.NOT_AVAILABLE, `${what} is not available from this peer`);
  }
  static resourceLimit(what: string): ShoalError {
    return new ShoalError(ErrorCode.RESOURCE_LIMIT, what);
  }
  static closed(what: string): ShoalError {
    return new ShoalError(ErrorCode.CLOSED, `${what} is closed`);
  }
  static badAddress(reason: string): ShoalError {
    return new ShoalError(ErrorCode.BAD_ADDRESS, `bad stream address: ${reason}`);
  }
  static badFolder(folder: string, reason: string): ShoalError {
    return new ShoalError(ErrorCode.BAD_FOLDER, `${folder}: ${reason}`);
  }
  /** A symbolic link in the broadcast folder that leads out of it: never read, never published. */
  static linkLeavesFolder(file: string, target: string, folder: string): ShoalError {
    return new ShoalError(
      ErrorCode.BAD_FOLDER,
      `${file} is a link to ${target}, outside the broadcast folder ${folder}: Shoal does not publish it`,
    );
  }
  static badPlaylist(file: string, reason: string, cause?: unknown): ShoalError {
    return new ShoalError(ErrorCode.BAD_PLAYLIST, `${file}: ${reason}`, false, { cause });
  }
  static missingFile(file: string, reason = 'is listed but missing'): ShoalError {
    return new ShoalError(ErrorCode.MISSING_FILE, `${file} ${reason}`);
  }
  static io(what: string, cause?: unknown): ShoalError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new ShoalError(ErrorCode.IO, `${what}${detail}`, false, { cause });
  }
  static hashMismatch(what: string): ShoalError {
    return new ShoalError(ErrorCode.HASH_MISMATCH, `${what} does not match its entry (size or sha256)`);
  }
  /** A key file that exists but cannot be used: fatal, since silently making a new key would change the stream's address. */
  static badKeyFile(file: string, reason: string): ShoalError {
    return new ShoalError(ErrorCode.BAD_KEY_FILE, `key file ${file}: ${reason}`, true);
  }
  static internal(message: string, cause?: unknown): ShoalError {
    return new ShoalError(ErrorCode.INTERNAL, message, false, { cause });
  }

  /** Wraps anything thrown into a ShoalError, keeping ShoalErrors as they are. */
  static from(err: unknown, code: number = ErrorCode.INTERNAL): ShoalError {
    if (err instanceof ShoalError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ShoalError(code, message, false, { cause: err });
  }

  toJSON(): { code: number; codeName: string; message: string; fatal: boolean } {
    return { code: this.code, codeName: this.codeName, message: this.message, fatal: this.fatal };
  }
}
