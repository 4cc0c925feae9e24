// Packets sent and not yet resolved, indexed by packet number in O(1). Packet numbers are
// dense per direction, so a sliding array with a head offset replaces a map.

export const enum SentState {
  OUTSTANDING = 0,
  ACKED = 1,
  LOST = 2,
}

export interface SentPacket<P> {
  pn: number;
  sentAt: number;
  size: number;
  state: SentState;
  payload: P;
}

export class SentPacketWindow<P> {
  private slots: (SentPacket<P> | undefined)[] = [];
  /** Packet number of slots[offset]. */
  private base = 0;
  private offset = 0;

  /** Packet numbers must be pushed in increasing order (gaps allowed: ack-only packets). */
  push(packet: SentPacket<P>): void {
    if (this.slots.length - this.offset === 0) {
      this.slots.length = 0;
      this.offset = 0;
      this.base = packet.pn;
    }
    const index = this.offset + packet.pn - this.base;
    this.slots[index] = packet;
  }

  get(pn: number): SentPacket<P> | undefined {
    if (pn < this.base) return undefined;
    return this.slots[this.offset + pn - this.base];
  }

  /** Lowest packet number still held. */
  get head(): number {
    return this.base;
  }

  /** One past the highest slot. */
  get end(): number {
    return this.base + this.slots.length - this.offset;
  }

  /** Forgets resolved packets at the front; compacts the array now and then. */
  dropResolvedHead(): void {
    const slots = this.slots;
    while (this.offset < slots.length) {
      const p = slots[this.offset];
      if (p !== undefined && p.state === SentState.OUTSTANDING) break;
      slots[this.offset] = undefined;
      this.offset++;
      this.base++;
    }
    if (this.offset > 1024 && this.offset * 2 > slots.length) {
      this.slots = slots.slice(this.offset);
      this.offset = 0;
    }
  }

  *outstanding(): IterableIterator<SentPacket<P>> {
    for (let i = this.offset; i < this.slots.length; i++) {
      const p = this.slots[i];
      if (p !== undefined && p.state === SentState.OUTSTANDING) yield p;
    }
  }
}
