// A stream address may name its bootstrap endpoints by host name (PROTOCOL §2.3), but
// sessions are bound to the IP address packets come from (§10.2): names are resolved once,
// when watching starts, to one address of the socket's families (the first that has one).

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { HostPort } from '../../src-shared/stream-address.js';

export type HostResolver = (host: string, family: 4 | 6) => Promise<string>;

const systemResolver: HostResolver = async (host, family) => (await lookup(host, { family })).address;

/**
 * The endpoints with host names replaced by addresses. A name that does not resolve is left
 * out; if none is left, fails with BAD_ADDRESS naming the first failure.
 */
export async function resolveBootstrap(
  endpoints: readonly HostPort[],
  families: readonly (4 | 6)[],
  resolve: HostResolver = systemResolver,
): Promise<HostPort[]> {
  const failures: string[] = [];
  const resolved = await Promise.all(
    endpoints.map(async (e): Promise<HostPort | null> => {
      if (isIP(e.host) !== 0) return e;
      let failure = '';
      for (const family of families) {
        try {
          return { host: await resolve(e.host, family), port: e.port };
        } catch (err) {
          failure ||= `${e.host}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        }
      }
      failures.push(failure);
      return null;
    }),
  );
  const usable = resolved.filter((e): e is HostPort => e !== null);
  if (usable.length === 0 && failures.length > 0) {
    throw new ShoalError(ErrorCode.BAD_ADDRESS, `cannot resolve ${failures[0]}`);
  }
  return usable;
}
