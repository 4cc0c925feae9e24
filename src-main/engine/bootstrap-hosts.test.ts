import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import { resolveBootstrap, type HostResolver } from './bootstrap-hosts.js';

const fake: HostResolver = async (host, family) => {
  if (host === 'peer.example.org') return family === 4 ? '192.0.2.7' : '2001:db8::7';
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

describe('resolveBootstrap (PROTOCOL §2.3)', () => {
  it('keeps IP addresses and resolves host names to the socket family', async () => {
    const list = [
      { host: '198.51.100.1', port: 1 },
      { host: 'peer.example.org', port: 2 },
      { host: '2001:db8::1', port: 3 },
    ];
    expect(await resolveBootstrap(list, [4], fake)).toEqual([
      { host: '198.51.100.1', port: 1 },
      { host: '192.0.2.7', port: 2 },
      { host: '2001:db8::1', port: 3 },
    ]);
    expect((await resolveBootstrap(list, [6], fake))[1]).toEqual({ host: '2001:db8::7', port: 2 });
    // Dual stack: IPv4 first, IPv6 when the name has no IPv4 address.
    expect((await resolveBootstrap(list, [4, 6], fake))[1]).toEqual({ host: '192.0.2.7', port: 2 });
    const v6Only: HostResolver = async (host, family) => {
      if (family === 6) return '2001:db8::9';
      throw Object.assign(new Error('no A record'), { code: 'ENODATA' });
    };
    expect(await resolveBootstrap([{ host: 'six.example.org', port: 4 }], [4, 6], v6Only)).toEqual([
      { host: '2001:db8::9', port: 4 },
    ]);
  });

  it('leaves out names that do not resolve, and fails with BAD_ADDRESS when none is left', async () => {
    const some = [
      { host: 'nowhere.invalid', port: 1 },
      { host: 'peer.example.org', port: 2 },
    ];
    expect(await resolveBootstrap(some, [4], fake)).toEqual([{ host: '192.0.2.7', port: 2 }]);
    await expect(resolveBootstrap([{ host: 'nowhere.invalid', port: 1 }], [4], fake)).rejects.toMatchObject({
      code: ErrorCode.BAD_ADDRESS,
      message: expect.stringContaining('nowhere.invalid: ENOTFOUND'),
    });
  });

  it('resolves localhost with the system resolver', async () => {
    expect(await resolveBootstrap([{ host: 'localhost', port: 9 }], [4])).toEqual([
      { host: '127.0.0.1', port: 9 },
    ]);
  });
});
