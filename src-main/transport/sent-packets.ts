// Packets sent and not yet resolved, indexed by packet number in O(1). Packet numbers are
// dense per direction, so a ring of parallel arrays indexed by `pn & mask` replaces a map,
// and sending a packet allocates nothing (one record per datagram would be garbage at
// ~100k packets/s).

export const enum SentState {
  /** Not tracked: never sent as ack-eliciting (ACK-only packets), or already forgotten. */
  NONE = 0,
  OUTSTANDING = 1,
  ACKED = 2,
  LOST = 3,
}

/** Small: an idle or half-open session should cost little; the ring doubles as needed. */
const INITIAL_CAPACITY = 128;

export class SentPacketWindow<P> {
  private mask = INITIAL_CAPACITY - 1;
  private state = new Uint8Array(INITIAL_CAPACITY);
  private sentAtOf = new Float64Array(INITIAL_CAPACITY);
  private sizeOf = new Float64Array(INITIAL_CAPACITY);
  private auxOf = new Float64Array(INITIAL_CAPACITY);
  private payloadOf: (P | undefined)[] = new Array<P | undefined>(INITIAL_CAPACITY).fill(undefined);
  /** Lowest packet number still held. */
  private base = 0;
  /** One past the highest packet number held. */
  private top = 0;

  /**
   * Tracks a packet. Packet numbers must be pushed in increasing order (gaps allowed:
   * ack-only packets are not tracked). `aux` is a number carried with the payload.
   */
  push(pn: number, sentAt: number, size: number, payload: P, aux = 0): void {
    if (this.base === this.top) this.base = this.top = pn;
    while (pn - this.base >= this.mask + 1) this.grow();
    const state = this.state;
    const mask = this.mask;
    for (let q = this.top; q < pn; q++) {
      state[q & mask] = SentState.NONE;
      this.payloadOf[q & mask] = undefined;
    }
    const i = pn & mask;
    state[i] = SentState.OUTSTANDING;
    this.sentAtOf[i] = sentAt;
    this.sizeOf[i] = size;
    this.auxOf[i] = aux;
    this.payloadOf[i] = payload;
    this.top = pn + 1;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const state = new Uint8Array(capacity);
    const sentAt = new Float64Array(capacity);
    const size = new Float64Array(capacity);
    const aux = new Float64Array(capacity);
    const payload = new Array<P | undefined>(capacity).fill(undefined);
    for (let pn = this.base; pn < this.top; pn++) {
      const from = pn & this.mask;
      const to = pn & mask;
      state[to] = this.state[from]!;
      sentAt[to] = this.sentAtOf[from]!;
      size[to] = this.sizeOf[from]!;
      aux[to] = this.auxOf[from]!;
      payload[to] = this.payloadOf[from];
    }
    this.mask = mask;
    this.state = state;
    this.sentAtOf = sentAt;
    this.sizeOf = size;
    this.auxOf = aux;
    this.payloadOf = payload;
  }

  /** SentState.NONE for packet numbers not held. */
  stateOf(pn: number): SentState {
    return pn >= this.base && pn < this.top ? (this.state[pn & this.mask]! as SentState) : SentState.NONE;
  }

  /** Marks a held packet acked or lost (it is forgotten once everything below it is resolved). */
  resolve(pn: number, state: SentState.ACKED | SentState.LOST): void {
    this.state[pn & this.mask] = state;
  }

  // The accessors below are for packets held (stateOf(pn) !== NONE).
  sentAt(pn: number): number {
    return this.sentAtOf[pn & this.mask]!;
  }

  size(pn: number): number {
    return this.sizeOf[pn & this.mask]!;
  }

  aux(pn: number): number {
    return this.auxOf[pn & this.mask]!;
  }

  payload(pn: number): P {
    return this.payloadOf[pn & this.mask] as P;
  }

  /** Lowest packet number still held. */
  get head(): number {
    return this.base;
  }

  /** One past the highest packet number held. */
  get end(): number {
    return this.top;
  }

  /** Forgets every packet (the session closed): the memory goes back to the GC. */
  clear(): void {
    this.mask = INITIAL_CAPACITY - 1;
    this.state = new Uint8Array(INITIAL_CAPACITY);
    this.sentAtOf = new Float64Array(INITIAL_CAPACITY);
    this.sizeOf = new Float64Array(INITIAL_CAPACITY);
    this.auxOf = new Float64Array(INITIAL_CAPACITY);
    this.payloadOf = new Array<P | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.base = this.top = 0;
  }

  /** Forgets resolved packets at the front (and their payloads, for the GC). */
  dropResolvedHead(): void {
    const state = this.state;
    const mask = this.mask;
    let pn = this.base;
    while (pn < this.top && state[pn & mask] !== SentState.OUTSTANDING) {
      this.payloadOf[pn & mask] = undefined;
      pn++;
    }
    this.base = pn;
  }
}
