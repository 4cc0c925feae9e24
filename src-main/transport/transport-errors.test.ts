import { describe, expect, it } from 'vitest';
import { NotAvailableReason } from '../protocol/constants.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import {
  ConnectRejectedError,
  isConnectRejected,
  isNotAvailable,
  TransportError,
} from './transport-errors.js';

describe('transport error guards', () => {
  it('tell a REJECT with its peers from any other error, whatever the code', () => {
    const peers = [{ host: '198.51.100.7', port: 4000, nodeId: new Uint8Array(32), flags: 0 }];
    const full = new ConnectRejectedError(ErrorCode.FULL, 'full', peers);
    expect(isConnectRejected(full) && full.peers).toEqual(peers);
    expect(isConnectRejected(new ShoalError(ErrorCode.FULL, 'full'))).toBe(false);
    expect(isConnectRejected(new Error('full'))).toBe(false);
    expect(isConnectRejected(undefined)).toBe(false);
  });

  it('tell a SEGMENT_NOT_AVAILABLE with its reason from any other error', () => {
    const busy = TransportError.notAvailable('busy', NotAvailableReason.OVERLOADED);
    expect(isNotAvailable(busy) && busy.reason).toBe(NotAvailableReason.OVERLOADED);
    expect(isNotAvailable(new ShoalError(ErrorCode.NOT_AVAILABLE, 'gone'))).toBe(false);
    expect(isNotAvailable(TransportError.cancelled('request'))).toBe(false);
  });
});
