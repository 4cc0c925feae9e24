import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-shared/contract.js';
import { formFromSettings, validateSettingsForm } from './settings-form';

const form = formFromSettings(DEFAULT_SETTINGS);

describe('validateSettingsForm', () => {
  it('round-trips the defaults into a full patch', () => {
    expect(validateSettingsForm(form)).toEqual({ ok: true, patch: DEFAULT_SETTINGS });
  });

  it("uses the contract's limits and says which field is wrong", () => {
    const result = validateSettingsForm({
      ...form,
      maxPeers: '500',
      udpPort: 'abc',
      joinDistanceSegments: '',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        maxPeers: 'The peer limit must be between 1 and 200.',
        udpPort: 'The UDP port must be a whole number.',
        joinDistanceSegments: 'Enter the join distance.',
      },
    });
  });

  it('reads the DHT bootstrap list one per line or comma-separated, and says which entry is wrong', () => {
    expect(
      validateSettingsForm({
        ...form,
        dhtBootstrap: ' 10.0.0.1:6881\n\nrouter.example:6881, [2001:db8::1]:6881 ',
      }),
    ).toMatchObject({
      ok: true,
      patch: { dhtBootstrap: ['10.0.0.1:6881', 'router.example:6881', '[2001:db8::1]:6881'] },
    });
    expect(validateSettingsForm({ ...form, dhtBootstrap: '10.0.0.1' })).toMatchObject({
      ok: false,
      errors: { dhtBootstrap: '"10.0.0.1" is not host:port.' },
    });
    expect(validateSettingsForm({ ...form, dhtEnabled: false, dhtBootstrap: '' })).toMatchObject({
      ok: true,
      patch: { dhtEnabled: false, dhtBootstrap: [] },
    });
  });

  it('checks the upload cap only when it is enabled', () => {
    expect(validateSettingsForm({ ...form, uploadCapEnabled: true, uploadCapKbps: '10' })).toMatchObject({
      ok: false,
      errors: { uploadCapKbps: 'The upload cap must be between 64 and 10000000.' },
    });
    expect(validateSettingsForm({ ...form, uploadCapEnabled: true, uploadCapKbps: ' 2000 ' })).toMatchObject({
      ok: true,
      patch: { uploadCapKbps: 2000 },
    });
    expect(validateSettingsForm({ ...form, uploadCapEnabled: false, uploadCapKbps: 'junk' })).toMatchObject({
      ok: true,
      patch: { uploadCapKbps: null },
    });
  });

  it('leaves the gateway port alone while the gateway is off', () => {
    const result = validateSettingsForm({ ...form, gatewayEnabled: false, gatewayPort: '99999' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.patch).not.toHaveProperty('gatewayPort');
  });
});
