// Our own reachability in words, the same in the CLI status line, the dashboard and Settings.

import type { Reachability } from './contract.js';

const VIA = { upnp: 'UPnP', pcp: 'PCP', natpmp: 'NAT-PMP' } as const;

const NAT = {
  cone: ' (a cone NAT: hole punching opens a path with every peer)',
  symmetric: ' (a symmetric NAT: hole punching opens a path with cone-NAT and public peers only)',
} as const;

export function describeReachability(r: Reachability): string {
  const nat = r.nat === 'cone' || r.nat === 'symmetric' ? NAT[r.nat] : '';
  switch (r.kind) {
    case 'mapped':
      return `reachable: yes, via ${r.via ? VIA[r.via] : 'the router'}${r.external ? ` (${r.external})` : ''}`;
    case 'public':
      return `reachable: yes, public address${r.external ? ` (${r.external})` : ''}`;
    case 'checking':
      return 'reachable: asking the router for a port mapping…';
    case 'unmapped':
      return `reachable: behind NAT${nat}, no port mapping${r.detail ? ` (${r.detail})` : ''}`;
    case 'off':
      return `reachable: port mapping off${r.detail ? ` (${r.detail})` : ''}${nat ? `; behind NAT${nat}` : ''}`;
  }
}
