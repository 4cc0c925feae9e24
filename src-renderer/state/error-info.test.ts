import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../src-shared/errors.js';
import { toErrorInfo } from './error-info';

describe('toErrorInfo', () => {
  it('keeps a ShoalError code and message', () => {
    expect(toErrorInfo(ShoalError.badAddress('nope'))).toMatchObject({
      codeName: 'BAD_ADDRESS',
      fatal: false,
    });
  });

  it("strips Electron's IPC wrapper from the message", () => {
    const err = new Error("Error invoking remote method 'shoal:watch': ShoalError: stream not found");
    expect(toErrorInfo(err)).toMatchObject({ codeName: 'INTERNAL', message: 'stream not found' });
  });

  it('wraps anything else as INTERNAL', () => {
    expect(toErrorInfo('boom')).toEqual({
      code: 0x03ff,
      codeName: 'INTERNAL',
      message: 'boom',
      fatal: false,
    });
  });
});
