// Anything a call rejects with, as the ErrorInfo the UI shows. ShoalErrors (and plain
// objects shaped like them) keep their code; anything else becomes INTERNAL.

import type { ErrorInfo } from '../../src-shared/contract.js';
import { ErrorCode, errorCodeName } from '../../src-shared/errors.js';

// Electron wraps errors thrown in ipcMain handlers in this prefix; users need not see it.
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

export function toErrorInfo(err: unknown): ErrorInfo {
  if (typeof err === 'object' && err !== null) {
    const e = err as Partial<ErrorInfo> & { message?: unknown };
    const message = typeof e.message === 'string' ? e.message.replace(IPC_PREFIX, '') : String(err);
    if (typeof e.code === 'number') {
      return {
        code: e.code,
        codeName: typeof e.codeName === 'string' ? e.codeName : errorCodeName(e.code),
        message,
        fatal: e.fatal === true,
      };
    }
    return { code: ErrorCode.INTERNAL, codeName: 'INTERNAL', message, fatal: false };
  }
  return { code: ErrorCode.INTERNAL, codeName: 'INTERNAL', message: String(err), fatal: false };
}
