// What the kernel counted: interface byte counters and each host's per-source accounting
// (nat-rules.ts). The report trusts these over the app's own statistics.

import { ACCOUNTING_TABLE, parseAccounting, type Accounting } from './nat-rules.js';
import { inNs, sh } from './shell.js';

export interface LinkCounters {
  txBytes: number;
  rxBytes: number;
}

export async function linkCounters(ns: string, dev: string): Promise<LinkCounters> {
  const out = await sh('ip', ['-n', ns, '-j', '-s', 'link', 'show', 'dev', dev]);
  const [link] = JSON.parse(out) as { stats64: { tx: { bytes: number }; rx: { bytes: number } } }[];
  if (!link) throw new Error(`no link ${dev} in ${ns}`);
  return { txBytes: link.stats64.tx.bytes, rxBytes: link.stats64.rx.bytes };
}

/** Bytes the host in `ns` received, by source public address (and how many over IPv6). */
export async function receivedBySource(ns: string): Promise<Accounting> {
  return parseAccounting(await inNs(ns, 'nft', ['list', 'table', 'inet', ACCOUNTING_TABLE]));
}
