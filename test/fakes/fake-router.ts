// A router for port mapping tests: answers map requests from a script (the last answer
// repeats) and records what it was asked. Setting `publicIp` re-addresses its WAN: its
// external address answers and later grants carry the new address.

import {
  NoAnswer,
  type MappingGrant,
  type MappingProtocol,
  type MappingProtocolName,
} from '../../src-main/portmap/mapping-protocol.js';

export type RouterAnswer = MappingGrant | Error | 'silent';

export class FakeRouter implements MappingProtocol {
  readonly calls: string[] = [];
  closed = 0;
  /** Questions for the external address so far (kept out of `calls`: they repeat all the time). */
  addressQueries = 0;
  /** The WAN address after a re-address (null: the scripted grants' own). */
  publicIp: string | null = null;
  /** What the external address question gets instead of an answer. */
  addressFailure: Error | null = null;
  constructor(
    readonly name: MappingProtocolName,
    private readonly answers: RouterAnswer[],
  ) {}
  map(port: number, _lifetimeMs: number, signal: AbortSignal): Promise<MappingGrant> {
    this.calls.push(`map ${port}`);
    const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
    if (a === 'silent')
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new NoAnswer('aborted'))),
      );
    if (a instanceof Error) return Promise.reject(a);
    return Promise.resolve(this.publicIp ? { ...a, externalHost: this.publicIp } : a);
  }
  externalAddress(): Promise<string> {
    this.addressQueries += 1;
    if (this.addressFailure) return Promise.reject(this.addressFailure);
    return Promise.resolve(this.publicIp ?? grant().externalHost);
  }
  unmap(port: number): Promise<void> {
    this.calls.push(`unmap ${port}`);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed += 1;
    return Promise.resolve();
  }
}

export const grant = (port = 41000, lifetimeMs = 3600_000): MappingGrant => ({
  externalHost: '203.0.113.5',
  externalPort: port,
  lifetimeMs,
});
