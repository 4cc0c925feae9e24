// @vitest-environment jsdom
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useSession } from '../state/session-store';
import { useUi } from '../state/ui-store';
import { VALID_ADDRESS, makeSnapshot } from '../test-support/fixtures';
import { renderWithApi, resetStores } from '../test-support/render';
import { AddressBar } from './AddressBar';
import { StatusBadge } from './StatusBadge';

afterEach(resetStores);

const type = (text: string) =>
  fireEvent.change(screen.getByTestId('address-input'), { target: { value: text } });
const submit = async () => {
  await act(async () => {
    fireEvent.click(screen.getByTestId('watch-button'));
  });
};

describe('AddressBar', () => {
  it('explains an invalid address without calling the engine', async () => {
    const { api } = renderWithApi(
      <>
        <AddressBar />
        <StatusBadge />
      </>,
    );
    act(() => useSession.getState().setSnapshot(makeSnapshot()));
    type('http://example.com/stream');
    await submit();
    expect(screen.getByTestId('address-error').textContent).toMatch(/shoal:\/\//);
    expect(screen.getByTestId('address-input').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('status-badge').dataset.state).toBe('invalid-address');
    expect(api.calls).toEqual([]);

    type('shoal://x'); // editing clears the complaint
    expect(screen.queryByTestId('address-error')).toBeNull();
  });

  it('takes the short form shoal://<id>, which the engine resolves on the DHT', async () => {
    const { api } = renderWithApi(<AddressBar />);
    const short = VALID_ADDRESS.slice(0, VALID_ADDRESS.indexOf('@'));
    type(short);
    await submit();
    expect(screen.queryByTestId('address-error')).toBeNull();
    expect(api.calls).toEqual([{ method: 'watch', arg: short }]);
  });

  it('asks the engine to watch a valid address (trimmed)', async () => {
    const { api } = renderWithApi(<AddressBar />);
    type(`  ${VALID_ADDRESS} `);
    await submit();
    expect(api.calls).toEqual([{ method: 'watch', arg: VALID_ADDRESS }]);
    expect(useUi.getState().addressError).toBeNull();
  });

  it('shows the engine error on the Watch scope when watching fails', async () => {
    const { api } = renderWithApi(<AddressBar />);
    api.watch = async () => {
      throw Object.assign(new Error('nobody is broadcasting that stream'), {
        code: 0x0004,
        codeName: 'STREAM_NOT_FOUND',
      });
    };
    type(VALID_ADDRESS);
    await submit();
    expect(useUi.getState().errors.watch).toMatchObject({ codeName: 'STREAM_NOT_FOUND' });
    expect(useUi.getState().busy).toBeNull();
  });
});
