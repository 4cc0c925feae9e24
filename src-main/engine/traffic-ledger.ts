// Byte totals and rates by source, for the dashboard's "who carried the stream".

import { RateMeter } from '../swarm/index.js';

export class TrafficLedger {
  readonly fromBroadcaster: RateMeter;
  readonly fromPeers: RateMeter;
  readonly uploaded: RateMeter;
  readonly toGateway: RateMeter;

  constructor(now: () => number) {
    this.fromBroadcaster = new RateMeter(now);
    this.fromPeers = new RateMeter(now);
    this.uploaded = new RateMeter(now);
    this.toGateway = new RateMeter(now);
  }

  totals(): { fromBroadcaster: number; fromPeers: number; uploaded: number; toGateway: number } {
    return {
      fromBroadcaster: this.fromBroadcaster.bytes,
      fromPeers: this.fromPeers.bytes,
      uploaded: this.uploaded.bytes,
      toGateway: this.toGateway.bytes,
    };
  }

  rates(): { upBps: number; fromBroadcasterBps: number; fromPeersBps: number; toGatewayBps: number } {
    return {
      upBps: this.uploaded.rate(),
      fromBroadcasterBps: this.fromBroadcaster.rate(),
      fromPeersBps: this.fromPeers.rate(),
      toGatewayBps: this.toGateway.rate(),
    };
  }
}
