// One DHT bootstrap node of the NAT lab (issue 16 §4): a plain bittorrent-dht node on a
// public lab host, as router.bittorrent.com is on the internet. Run by run.ts inside the
// host's namespace: `tsx dht-bootstrap.ts <ip> <port> [host:port of other nodes...]`.

import DHT from 'bittorrent-dht';
import { verifyDhtSignature } from '../../src-main/protocol/dht-record.js';

const [ip, port, ...others] = process.argv.slice(2);
if (!ip || !port) {
  console.error('usage: dht-bootstrap.ts <ip> <port> [host:port ...]');
  process.exit(2);
}
const dht = new DHT({ bootstrap: others.length > 0 ? others : false, verify: verifyDhtSignature });
dht.on('error', (err: unknown) => console.error(`dht error: ${String(err)}`));
dht.listen(Number(port), ip, () => console.log(`dht node on ${ip}:${port}`));
const report = setInterval(() => {
  const nodes = (dht as unknown as { nodes: { count(): number } }).nodes.count();
  console.log(`nodes in table: ${nodes}`);
}, 10_000);
const stop = (): void => {
  clearInterval(report);
  dht.destroy(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
