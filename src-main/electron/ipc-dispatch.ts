// The pure half of the IPC bridge: one untrusted invoke payload in, one reply envelope
// out. Validation and the method allow-list live in the engine's shared dispatcher (the
// browser host uses the same one); this adds the envelope check and turns every failure
// into an ErrorInfo, because an exception thrown through ipcMain.handle loses its code.

import { ShoalError } from '../../src-shared/errors.js';
import { createApiDispatcher, type HostMethods } from '../engine/api-dispatcher.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { IpcCallSchema, type IpcReply } from './ipc-channels.js';

export type IpcDispatch = (payload: unknown) => Promise<IpcReply>;

export function createIpcDispatch(
  engine: EngineFacade,
  host: HostMethods,
  onInternalError: (err: unknown) => void = () => {},
): IpcDispatch {
  const dispatch = createApiDispatcher(engine, host);
  return async (payload) => {
    const call = IpcCallSchema.safeParse(payload);
    if (!call.success) return failure(ShoalError.malformed('IPC call is not {method, arg}'));
    try {
      const result = await dispatch(call.data.method, call.data.arg);
      // `void` results travel as null, as over the WebSocket.
      return { ok: true, result: result ?? null };
    } catch (err) {
      if (!(err instanceof ShoalError)) onInternalError(err);
      return failure(ShoalError.from(err));
    }
  };
}

/** One-shot form of the above, for callers that hold no dispatcher. */
export function dispatchCall(
  engine: EngineFacade,
  host: HostMethods,
  method: string,
  arg: unknown,
): Promise<IpcReply> {
  return createIpcDispatch(engine, host)({ method, arg });
}

function failure(error: ShoalError): IpcReply {
  return { ok: false, error: error.toJSON() };
}
