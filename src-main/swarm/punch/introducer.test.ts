import { describe, expect, it } from 'vitest';
import { NatClass, PunchFailure } from '../../protocol/constants.js';
import type { Frame } from '../../protocol/types.js';
import { PeerLink } from '../peer-link.js';
import { fakeSession } from '../../../test/fakes/swarm-fakes.js';
import { Introducer } from './introducer.js';

function link(id: string, sent: Frame[], punch = true): PeerLink {
  return new PeerLink(
    fakeSession({
      nodeId: id.repeat(8),
      remote: { host: '198.51.100.1', port: 4000 + id.charCodeAt(0) },
      speaksPunch: punch,
      send: (f) => sent.push(f),
    }),
    () => 0,
  );
}

function setup() {
  let now = 0;
  const sentA: Frame[] = [];
  const sentX: Frame[] = [];
  const a = link('a', sentA);
  const x = link('b', sentX);
  const links = new Map([a, x].map((l) => [l.nodeId, l]));
  const intro = new Introducer(
    () => now,
    (id) => links.get(id),
  );
  return { a, x, sentA, sentX, intro, tick: (ms: number) => (now += ms), links };
}

const id = (l: PeerLink) => Buffer.from(l.nodeId, 'hex');

describe('Introducer (PROTOCOL §5.18 step 5)', () => {
  it('sends both nodes a PUNCH_CONNECT with one token and the other side observed address first', () => {
    const { a, x, sentA, sentX, intro } = setup();
    x.candidates = [{ kind: 1, host: '10.0.0.5', port: 7000 }];
    intro.onRequest(a, id(x));
    const toA = sentA[0] as Extract<Frame, { type: 'PUNCH_CONNECT' }>;
    const toX = sentX[0] as Extract<Frame, { type: 'PUNCH_CONNECT' }>;
    expect(toA.type).toBe('PUNCH_CONNECT');
    expect(toX.type).toBe('PUNCH_CONNECT');
    expect(Buffer.compare(toA.token, toX.token)).toBe(0);
    expect(toA.candidates).toEqual([
      { kind: 0, ...x.session.remote },
      { kind: 1, host: '10.0.0.5', port: 7000 },
    ]);
    expect(toX.candidates).toEqual([{ kind: 0, ...a.session.remote }]);
  });

  it('introduces only established neighbours that speak PUNCH, never a node to itself', () => {
    const { a, x, sentA, sentX, intro, links } = setup();
    intro.onRequest(a, Buffer.alloc(8, 0xcc)); // unknown node
    intro.onRequest(a, id(a)); // itself
    links.set(x.nodeId, link('b', sentX, false)); // does not speak PUNCH
    intro.onRequest(a, id(x));
    expect(sentA.map((f) => f.type === 'PUNCH_FAILED' && f.reason)).toEqual([
      PunchFailure.NOT_CONNECTED,
      PunchFailure.NOT_CONNECTED,
      PunchFailure.NOT_CONNECTED,
    ]);
    expect(sentX).toEqual([]);
  });

  it('refuses two symmetric NATs, which cannot be punched', () => {
    const { a, x, sentA, sentX, intro } = setup();
    a.nat = NatClass.SYMMETRIC;
    x.nat = NatClass.SYMMETRIC;
    intro.onRequest(a, id(x));
    expect(sentA).toEqual([{ type: 'PUNCH_FAILED', nodeId: id(x), reason: PunchFailure.BOTH_SYMMETRIC }]);
    expect(sentX).toEqual([]);
  });

  it('bounds a flood: a pair once per 10 s, 4 requests per connection then 1 per 2 s', () => {
    const { a, x, sentA, sentX, intro, tick } = setup();
    for (let i = 0; i < 10_000; i++) intro.onRequest(a, id(x));
    expect(sentX.length).toBe(1);
    expect(sentA.filter((f) => f.type === 'PUNCH_CONNECT').length).toBe(1);
    // Over the per-connection budget: BUSY (the rest of the first 4 went unanswered as repeats).
    expect(sentA.filter((f) => f.type === 'PUNCH_FAILED').length).toBe(10_000 - 4);
    tick(10_001);
    intro.onRequest(a, id(x));
    expect(sentX.length).toBe(2);
    expect(intro.stats.introduced).toBe(2);
  });
});
