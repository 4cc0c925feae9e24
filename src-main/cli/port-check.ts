// A port asked for on the command line is checked when the command starts, so the user
// hears at once that it is taken (not later, at Go Live or Watch), and what to do.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { UdpSocket } from '../transport/index.js';

/**
 * Resolves if `host:port` can be bound for UDP now, as the node will bind it (null: every
 * address, both families); the socket is closed again at once.
 */
export async function assertUdpPortFree(host: string | null, port: number): Promise<void> {
  try {
    await (await UdpSocket.bind({ host, port })).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShoalError(
      ErrorCode.IO,
      code === 'EADDRINUSE'
        ? `UDP port ${port} is in use (another Shoal, or another program): pick another with -p <port>, or -p 0 for any free port`
        : `cannot open UDP port ${port} on ${host ?? 'every address'}: ${(err as Error).message}`,
    );
  }
}
