// A viewer's fetch-side parts wired as the Swarm wires them (entry book, piece ledger, live
// position, wants), for the unit tests of src-main/swarm/fetch. Here rather than in
// test/fakes because it uses the swarm's inside, which only test/swarm may import.

import type { SegmentEntry } from '../../src-main/protocol/types.js';
import { EntryBook } from '../../src-main/swarm/entry-book.js';
import { LivePosition } from '../../src-main/swarm/fetch/live-position.js';
import { SegmentWants } from '../../src-main/swarm/fetch/segment-wants.js';
import type { PeerLink } from '../../src-main/swarm/peer-link.js';
import { PieceLedger } from '../../src-main/swarm/piece-ledger.js';
import type { SegmentVault } from '../../src-main/swarm/ports.js';
import { emptyVault } from '../fakes/swarm-fakes.js';

export interface ViewerPartsOptions {
  streamId: Uint8Array;
  /** Entries the viewer knows (added as the broadcaster's own: no signature check). */
  entries: readonly SegmentEntry[];
  now: () => number;
  vault?: SegmentVault;
  links?: () => PeerLink[];
  /** Fetch piece by piece (the default) or whole segments only. */
  pieces?: boolean;
  joinDistance?: number;
}

/** The parts, with the live position started (the swarm starts now). */
export function viewerParts(options: ViewerPartsOptions) {
  const vault = options.vault ?? emptyVault;
  const links = options.links ?? (() => []);
  const book = new EntryBook(options.streamId);
  for (const entry of options.entries) book.addOwn(entry);
  const ledger = new PieceLedger();
  const config = {
    vault,
    now: options.now,
    joinDistance: options.joinDistance ?? 2,
    ...(options.pieces === undefined ? {} : { pieces: options.pieces }),
  };
  const position = new LivePosition(
    config,
    book,
    links,
    () => undefined,
    () => undefined,
  );
  position.start();
  const wants = new SegmentWants(config, book, ledger, position, links);
  return { vault, book, ledger, position, wants };
}
