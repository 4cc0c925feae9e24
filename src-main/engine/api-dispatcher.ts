// Turns one untrusted (method, argument) pair from a UI host's bridge into a call on the
// engine. Both hosts (Electron IPC, the browser UI's WebSocket) go through here, so the
// allow-list and argument validation live in exactly one place.

import { API_ARGUMENTS, API_METHODS, type ApiMethod } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { EngineFacade } from './engine-facade.js';

/** The methods whose answer depends on the host, not on the engine. */
export interface HostMethods {
  pickFolder(): Promise<string | null>;
  openExternalPlayer(): Promise<boolean>;
}

export type ApiDispatcher = (method: string, arg: unknown) => Promise<unknown>;

const METHODS = new Set<string>(API_METHODS);

function isApiMethod(method: string): method is ApiMethod {
  return METHODS.has(method);
}

function checkArgument(method: ApiMethod, arg: unknown): unknown {
  const schema = API_ARGUMENTS[method];
  if (schema === null) {
    if (arg !== undefined && arg !== null) {
      throw new ShoalError(ErrorCode.MALFORMED, `${method} takes no argument`);
    }
    return undefined;
  }
  const parsed = schema.safeParse(arg);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
    throw new ShoalError(
      method === 'updateSettings' ? ErrorCode.BAD_SETTINGS : ErrorCode.MALFORMED,
      `invalid argument for ${method}${where}: ${issue?.message ?? 'rejected'}`,
    );
  }
  return parsed.data;
}

export function createApiDispatcher(engine: EngineFacade, host: HostMethods): ApiDispatcher {
  return async (method, rawArg) => {
    if (!isApiMethod(method)) {
      throw new ShoalError(ErrorCode.MALFORMED, `unknown method "${method.slice(0, 64)}"`);
    }
    const arg = checkArgument(method, rawArg);
    switch (method) {
      case 'getSnapshot':
        return engine.getSnapshot();
      case 'startBroadcast':
        return engine.startBroadcast(arg as Parameters<EngineFacade['startBroadcast']>[0]);
      case 'stopBroadcast':
        return engine.stopBroadcast();
      case 'watch':
        return engine.watch(arg as string);
      case 'stopWatching':
        return engine.stopWatching();
      case 'getSettings':
        return engine.getSettings();
      case 'updateSettings':
        return engine.updateSettings(arg as Parameters<EngineFacade['updateSettings']>[0]);
      case 'pickFolder':
        return host.pickFolder();
      case 'openExternalPlayer':
        return host.openExternalPlayer();
    }
  };
}
