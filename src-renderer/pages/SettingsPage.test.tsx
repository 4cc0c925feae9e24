// @vitest-environment jsdom
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-shared/contract.js';
import { makeSnapshot } from '../test-support/fixtures';
import { useSession } from '../state/session-store';
import { useSettings } from '../state/settings-store';
import { renderWithApi, resetStores } from '../test-support/render';
import { SettingsPage } from './SettingsPage';

afterEach(resetStores);

const setField = (testId: string, value: string) =>
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
const save = async () => {
  await act(async () => {
    fireEvent.click(screen.getByTestId('settings-save'));
  });
};

describe('SettingsPage', () => {
  it('blocks out-of-range values with a message next to the field', async () => {
    useSettings.getState().setSettings(DEFAULT_SETTINGS);
    const { api } = renderWithApi(<SettingsPage />);
    setField('setting-max-peers', '0');
    await save();
    expect(screen.getByTestId('error-setting-max-peers').textContent).toBe(
      'The peer limit must be between 1 and 200.',
    );
    expect(screen.getByTestId('setting-max-peers').getAttribute('aria-invalid')).toBe('true');
    expect(api.calls).toEqual([]);
  });

  it('saves a valid form through updateSettings and takes the answer', async () => {
    useSettings.getState().setSettings(DEFAULT_SETTINGS);
    const { api } = renderWithApi(<SettingsPage />);
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true); // nothing changed
    setField('setting-max-peers', '40');
    fireEvent.click(screen.getByTestId('setting-no-upload'));
    await save();
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]).toMatchObject({ method: 'updateSettings', arg: { maxPeers: 40, noUpload: true } });
    expect(useSettings.getState().settings).toMatchObject({ maxPeers: 40, noUpload: true });
    expect(screen.getByRole('status').textContent).toBe('Settings saved.');
  });

  it('turns port mapping off and shows our reachability from the snapshot', async () => {
    useSettings.getState().setSettings(DEFAULT_SETTINGS);
    useSession.getState().setSnapshot(
      makeSnapshot({
        mode: 'broadcasting',
        reachability: { kind: 'mapped', via: 'upnp', external: '203.0.113.5:41000', detail: null },
      }),
    );
    const { api } = renderWithApi(<SettingsPage />);
    expect(screen.getByTestId('reachability').textContent).toBe(
      'Reachable: yes, via UPnP (203.0.113.5:41000)',
    );
    fireEvent.click(screen.getByTestId('setting-port-mapping'));
    await save();
    expect(api.calls[0]).toMatchObject({ method: 'updateSettings', arg: { portMapping: false } });
  });

  it("shows the engine's refusal", async () => {
    useSettings.getState().setSettings(DEFAULT_SETTINGS);
    const { api } = renderWithApi(<SettingsPage />);
    api.updateSettings = async () => {
      throw Object.assign(new Error('UDP port 80 is in use'), { code: 0x0305, codeName: 'BAD_SETTINGS' });
    };
    setField('setting-udp-port', '80');
    await save();
    expect(screen.getByTestId('error-message').textContent).toContain('UDP port 80 is in use');
  });
});
