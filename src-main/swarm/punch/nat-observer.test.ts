import { describe, expect, it } from 'vitest';
import { NatClass } from '../../protocol/constants.js';
import { NatObserver } from './nat-observer.js';

const observer = () =>
  new NatObserver(
    () => 5000,
    () => ['10.0.0.2'],
  );

describe('NatObserver (PROTOCOL §5.18 NAT class)', () => {
  it('is UNKNOWN on one report, CONE when two peers agree, SYMMETRIC when ports differ', () => {
    const o = observer();
    expect(o.note('198.51.100.1', { host: '203.0.113.9', port: 5000 })).toBe(false);
    expect(o.nat).toBe(NatClass.UNKNOWN);
    expect(o.note('198.51.100.2', { host: '203.0.113.9', port: 5000 })).toBe(true);
    expect(o.nat).toBe(NatClass.CONE);
    o.note('198.51.100.3', { host: '203.0.113.9', port: 40123 });
    o.note('198.51.100.4', { host: '203.0.113.9', port: 40124 });
    expect(o.nat).toBe(NatClass.SYMMETRIC);
  });

  it('counts IPv4 reports only: a dual-stack node seen at its own IPv6 address may be behind an IPv4 NAT', () => {
    const o = new NatObserver(
      () => 5000,
      () => ['10.0.0.2', '2001:db8::2'],
    );
    expect(o.note('2001:db8::7', { host: '2001:db8::2', port: 5000 })).toBe(false);
    expect(o.nat).toBe(NatClass.UNKNOWN);
    o.note('198.51.100.1', { host: '203.0.113.9', port: 5000 });
    o.note('198.51.100.2', { host: '203.0.113.9', port: 5000 });
    expect(o.nat).toBe(NatClass.CONE);
  });

  it('is SYMMETRIC when no two peers agree on the port', () => {
    const o = observer();
    o.note('198.51.100.1', { host: '203.0.113.9', port: 40001 });
    o.note('198.51.100.2', { host: '203.0.113.9', port: 40002 });
    expect(o.nat).toBe(NatClass.SYMMETRIC);
  });

  it('does not take one peer that lies about our port for a symmetric NAT once two agree', () => {
    const o = observer();
    o.note('198.51.100.1', { host: '203.0.113.9', port: 5000 });
    o.note('198.51.100.66', { host: '203.0.113.9', port: 1 }); // hostile WELCOME
    o.note('198.51.100.2', { host: '203.0.113.9', port: 5000 });
    expect(o.nat).toBe(NatClass.CONE);
    o.note('198.51.100.3', { host: '203.0.113.9', port: 5000 });
    expect(o.nat).toBe(NatClass.CONE);
  });

  it('takes a single report with another port than ours for SYMMETRIC until a second peer agrees', () => {
    const o = observer();
    o.note('198.51.100.1', { host: '203.0.113.9', port: 40123 });
    expect(o.nat).toBe(NatClass.SYMMETRIC);
    o.note('198.51.100.2', { host: '203.0.113.9', port: 40123 });
    expect(o.nat).toBe(NatClass.CONE);
  });

  it('is PUBLIC when a peer sees our own address and port', () => {
    const o = observer();
    o.note('198.51.100.1', { host: '10.0.0.2', port: 5000 });
    expect(o.nat).toBe(NatClass.PUBLIC);
  });

  it('counts one report per peer IP (a peer cannot vote twice) and keeps at most 32', () => {
    const o = observer();
    o.note('198.51.100.1', { host: '203.0.113.9', port: 5000 });
    o.note('198.51.100.1', { host: '203.0.113.9', port: 5000 });
    expect(o.nat).toBe(NatClass.UNKNOWN);
    for (let i = 0; i < 1000; i++)
      o.note(`198.18.${i >> 8}.${i & 255}`, { host: '203.0.113.9', port: 6000 + i });
    expect(o.nat).toBe(NatClass.SYMMETRIC);
  });
});
