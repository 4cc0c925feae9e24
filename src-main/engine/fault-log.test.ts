import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../src-shared/errors.js';
import { FaultLog } from './fault-log.js';

const peer = { host: '127.0.0.1', port: 4000 };

describe('FaultLog', () => {
  it('logs the first faults in full, then one paced summary line', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new FaultLog(
      (l) => lines.push(l),
      () => now,
    );
    const error = ShoalError.internal('fault in the session', new Error('boom'));
    for (let i = 0; i < 5; i++) log.sessionFault(peer, error);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('127.0.0.1:4000');
    expect(lines[0]).toContain('INTERNAL');
    expect(lines[0]).toContain('boom');
    // A flood of faults (one per hostile handshake) adds one line a minute, with a count.
    for (let i = 0; i < 1000; i++) log.sessionFault(peer, error);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toContain('1 more session closed');
    now += 60_000;
    log.sessionFault(peer, error);
    expect(lines).toHaveLength(7);
    expect(lines[6]).toContain('1000 more sessions');
  });
});
