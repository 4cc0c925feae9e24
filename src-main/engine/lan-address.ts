// A host to put in stream addresses when the user gave none: the first non-internal
// IPv4 address, else loopback (then only this machine can join — the CLI says so).

import { networkInterfaces } from 'node:os';

export function guessLanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
