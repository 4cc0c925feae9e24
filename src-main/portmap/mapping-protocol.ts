// What the port mapping lifecycle (port-mapping.ts) needs from a router protocol. Three
// clients: upnp-client.ts wraps `@achingbrain/nat-port-mapper`; pcp-client.ts and
// natpmp-client.ts are ours (README "Port mapping" says why); tests use a fake. An adapter turns every failure (refusal, garbage, timeout, abort) into a rejected
// promise and never throws from a socket callback.

export type MappingProtocolName = 'upnp' | 'pcp' | 'natpmp';

export interface MappingGrant {
  /** The router's public address and the port it forwards to us. */
  externalHost: string;
  externalPort: number;
  /** How long the router keeps the mapping unless renewed. */
  lifetimeMs: number;
}

export interface MappingProtocol {
  readonly name: MappingProtocolName;
  /** Asks for, or renews, a UDP mapping of `internalPort`; rejects when the router says no or `signal` aborts. */
  map(internalPort: number, lifetimeMs: number, signal: AbortSignal): Promise<MappingGrant>;
  /**
   * The router's public address now (NAT-PMP opcode 0, UPnP GetExternalIPAddress), asked
   * again while mapped so a new WAN address is noticed; rejects on failure or abort.
   */
  externalAddress(signal: AbortSignal): Promise<string>;
  /**
   * The external port the router granted at the last externalAddress, where asking for the
   * address renews the mapping (PCP: a router that lost its state may grant another port);
   * absent where the question says nothing of the port.
   */
  grantedPort?(): number | null;
  /** Removes the mapping made by `map`; rejects on failure or abort. */
  unmap(internalPort: number, signal: AbortSignal): Promise<void>;
  /** Frees sockets and timers; never rejects. */
  close(): Promise<void>;
}

/** Makes a fresh client for one attempt, or returns why this protocol cannot be tried here. */
export type MappingProtocolFactory = () => MappingProtocol | string;

export const PROTOCOL_LABEL: Record<MappingProtocolName, string> = {
  upnp: 'UPnP',
  pcp: 'PCP',
  natpmp: 'NAT-PMP',
};

/** The router said nothing (as opposed to refusing): what most routers without UPnP/NAT-PMP do. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
}
