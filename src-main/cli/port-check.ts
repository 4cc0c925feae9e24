// A port asked for on the command line is checked when the command starts, so the user
// hears at once that it is taken (not later, at Go Live or Watch), and what to do.

import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/** Resolves if `host:port` can be bound for UDP now (the socket is closed again at once). */
export async function assertUdpPortFree(host: string, port: number): Promise<void> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShoalError(
      ErrorCode.IO,
      code === 'EADDRINUSE'
        ? `UDP port ${port} is in use (another Shoal, or another program): pick another with -p <port>, or -p 0 for any free port`
        : `cannot open UDP port ${port} on ${host}: ${(err as Error).message}`,
    );
  } finally {
    socket.close();
  }
}
