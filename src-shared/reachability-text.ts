// Our own reachability in words, the same in the CLI status line, the dashboard and Settings.

import type { Reachability } from './contract.js';

const VIA = { upnp: 'UPnP', natpmp: 'NAT-PMP' } as const;

export function describeReachability(r: Reachability): string {
  switch (r.kind) {
    case 'mapped':
      return `reachable: yes, via ${r.via ? VIA[r.via] : 'the router'}${r.external ? ` (${r.external})` : ''}`;
    case 'public':
      return `reachable: yes, public address${r.external ? ` (${r.external})` : ''}`;
    case 'checking':
      return 'reachable: asking the router for a port mapping…';
    case 'unmapped':
      return `reachable: behind NAT, no port mapping${r.detail ? ` (${r.detail})` : ''}`;
    case 'off':
      return `reachable: port mapping off${r.detail ? ` (${r.detail})` : ''}`;
  }
}
