// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { usePlayback } from './state/playback-store';
import { useUi } from './state/ui-store';
import { FakeApi, VALID_ADDRESS, makePeer, makeSnapshot } from './test-support/fixtures';
import { resetStores } from './test-support/render';

// uPlot needs canvas and matchMedia at import time, which jsdom lacks; the chart is
// looked at in a real browser instead.
vi.mock('./components/RateChart', () => ({ RateChart: () => null }));

afterEach(resetStores);

/** A host whose engine is broadcasting (as the engine itself says, not only the store). */
function broadcastingApi(): FakeApi {
  const api = new FakeApi();
  const live = makeSnapshot({
    mode: 'broadcasting',
    state: 'playing',
    address: `shoal://${'b'.repeat(52)}@h:1`,
  });
  api.getSnapshot = async () => live;
  return api;
}

describe('App', () => {
  it('feeds snapshots into the Watch page P2P panel and status badge', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    await waitFor(() => expect(screen.getByTestId('status-badge').dataset.state).toBe('idle'), {
      timeout: 20_000, // the default 1 s is short on a loaded machine
    });

    act(() =>
      api.pushSnapshot(
        makeSnapshot({
          mode: 'watching',
          state: 'playing',
          address: VALID_ADDRESS,
          playlistUrl: 'http://127.0.0.1:1/media/stream/x/master.m3u8',
          peers: [makePeer({ nodeId: 'a' }), makePeer({ nodeId: 'b', role: 'broadcaster' })],
          totals: { fromBroadcaster: 1_000_000, fromPeers: 3_000_000, uploaded: 2_000_000, toGateway: 0 },
          bufferSec: 4.5,
          behindLiveSec: 7,
        }),
      ),
    );
    expect(screen.getByTestId('status-badge').dataset.state).toBe('playing');
    expect(screen.getByTestId('p2p-peers').textContent).toBe('2');
    expect(screen.getByTestId('p2p-share-peers').textContent).toBe('75%');
    expect(screen.getByTestId('p2p-from-peers').textContent).toBe('3.00 MB');
    expect(screen.getByTestId('p2p-uploaded').textContent).toBe('2.00 MB');
    expect(screen.getByTestId('p2p-buffer').textContent).toBe('4.5 s');
    expect(screen.getByTestId('p2p-behind-live').textContent).toBe('7.0 s');
    expect(screen.getByTestId('video')).toBeTruthy();

    // Once the player reports what is on screen, the panel shows that, the engine's beside it.
    const src = 'http://127.0.0.1:1/media/stream/x/master.m3u8';
    act(() => usePlayback.getState().report({ src, behindLiveSec: 4.2, bufferSec: 2.5 }));
    expect(screen.getByTestId('p2p-behind-live').textContent).toBe('4.2 s');
    expect(screen.getByTestId('p2p-behind-live').nextSibling?.textContent).toBe('engine 7.0 s');
    expect(screen.getByTestId('p2p-buffer').textContent).toBe('2.5 s');
  });

  it('says the broadcaster is offline, keeps the player, and goes back to playing', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    const watching = (state: 'playing' | 'broadcaster-offline') =>
      makeSnapshot({
        mode: 'watching',
        state,
        address: VALID_ADDRESS,
        playlistUrl: 'http://127.0.0.1:1/m.m3u8',
      });
    act(() => api.pushSnapshot(watching('broadcaster-offline')));
    const badge = screen.getByTestId('status-badge');
    expect(badge.dataset.state).toBe('broadcaster-offline');
    expect(badge.textContent).toBe('Broadcaster offline — waiting');
    // A state to wait out, not an error: a calm notice, not the red alert box.
    const alerts = () => screen.queryAllByRole('status').map((a) => a.textContent ?? '');
    expect(alerts().some((t) => /^Broadcaster offline — waiting.*by itself/.test(t))).toBe(true);
    expect(screen.getByTestId('outage-notice').className).toMatch(/alert-info/);
    expect(document.querySelectorAll('.alert[role="alert"], .alert-bad')).toHaveLength(0);
    expect(screen.getByTestId('video')).toBeTruthy();
    // It says whether the broadcaster stopped or fell silent (PROTOCOL §5.16).
    expect(alerts().some((t) => /may have lost its connection/.test(t))).toBe(true);
    act(() => api.pushSnapshot({ ...watching('broadcaster-offline'), offlineCause: 'stopped' }));
    expect(alerts().some((t) => /stopped the stream/.test(t))).toBe(true);
    expect(alerts().some((t) => /may have lost its connection/.test(t))).toBe(false);
    act(() => api.pushSnapshot({ ...watching('broadcaster-offline'), offlineCause: 'encoder' }));
    expect(screen.getByTestId('outage-notice').textContent).toMatch(/^Encoder stalled.*encoder/);
    act(() => api.pushSnapshot(watching('playing')));
    expect(screen.getByTestId('status-badge').dataset.state).toBe('playing');
    expect(alerts().some((t) => t.startsWith('Broadcaster offline'))).toBe(false);
  });

  it('keeps the same video element across pages: full size on Watch, a mini player elsewhere, closable', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    act(() =>
      api.pushSnapshot(
        makeSnapshot({
          mode: 'watching',
          state: 'playing',
          address: VALID_ADDRESS,
          playlistUrl: 'http://127.0.0.1:1/m.m3u8',
        }),
      ),
    );
    const video = screen.getByTestId('video');
    expect(screen.getByTestId('player-dock').dataset.mode).toBe('docked');
    expect(screen.getByTestId('player-slot')).toBeTruthy();
    // No native controls (a VOD seek bar over a live stream): our own, with LIVE.
    expect(video.hasAttribute('controls')).toBe(false);

    fireEvent.click(screen.getByTestId('nav-dashboard'));
    expect(screen.getByTestId('video')).toBe(video);
    expect(screen.getByTestId('player-dock').dataset.mode).toBe('mini');
    fireEvent.click(screen.getByTestId('nav-settings'));
    expect(screen.getByTestId('video')).toBe(video);

    fireEvent.click(screen.getByTestId('player-mini-close'));
    expect(screen.getByTestId('player-dock').dataset.mode).toBe('hidden');
    expect(screen.getByTestId('video')).toBe(video);
    fireEvent.click(screen.getByTestId('nav-dashboard'));
    expect(screen.getByTestId('player-dock').dataset.mode).toBe('hidden');

    fireEvent.click(screen.getByTestId('nav-watch'));
    expect(screen.getByTestId('video')).toBe(video);
    expect(screen.getByTestId('player-dock').dataset.mode).toBe('docked');
    fireEvent.click(screen.getByTestId('nav-settings'));
    fireEvent.click(screen.getByTestId('player-mini-open'));
    expect(useUi.getState().page).toBe('watch');
    expect(screen.getByTestId('video')).toBe(video);
  });

  it('says how a viewer with no working peer reaches the stream (issue 16)', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    const watching = (path: string | null) =>
      makeSnapshot({
        mode: 'watching',
        state: 'playing',
        address: VALID_ADDRESS,
        playlistUrl: 'http://127.0.0.1:1/m.m3u8',
        peers: [makePeer({ role: 'broadcaster' })],
        path,
      });
    act(() => api.pushSnapshot(watching('No reachable peer — served by the broadcaster')));
    expect(document.querySelector('.p2p-hint')?.textContent).toBe(
      'No reachable peer — served by the broadcaster',
    );
    act(() => api.pushSnapshot(watching(null)));
    expect(document.querySelector('.p2p-hint')).toBeNull();
    // While the broadcaster is offline the outage notice speaks; the path note would blame the network.
    act(() =>
      api.pushSnapshot({
        ...watching('No reachable peer — asking the broadcaster'),
        state: 'broadcaster-offline',
      }),
    );
    expect(document.querySelector('.p2p-hint')).toBeNull();
  });

  it('opens a shoal:// link from the host on the Watch page and starts watching', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    fireEvent.click(screen.getByTestId('nav-settings'));
    await act(async () => api.pushLink(VALID_ADDRESS));
    expect(useUi.getState().page).toBe('watch');
    expect((screen.getByTestId('address-input') as HTMLInputElement).value).toBe(VALID_ADDRESS);
    expect(api.calls).toContainEqual({ method: 'watch', arg: VALID_ADDRESS });
    expect(screen.queryByTestId('confirm-stop-broadcast')).toBeNull();
  });

  it('asks before a shoal:// link stops a running broadcast, and does nothing if the user declines', async () => {
    const api = broadcastingApi();
    render(<App api={api} />);
    fireEvent.click(screen.getByTestId('nav-go-live'));
    await act(async () => api.pushLink(VALID_ADDRESS));
    expect(useUi.getState().page).toBe('watch');
    expect(screen.getByTestId('confirm-stop-broadcast').textContent).toMatch(/Stop broadcasting/);
    expect(screen.getByTestId('confirm-address').textContent).toBe(VALID_ADDRESS);
    expect((screen.getByTestId('address-input') as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(screen.getByTestId('keep-broadcasting-button'));
    expect(api.calls).toEqual([]);

    fireEvent.click(screen.getByTestId('keep-broadcasting-button'));
    expect(screen.queryByTestId('confirm-stop-broadcast')).toBeNull();
    expect((screen.getByTestId('address-input') as HTMLInputElement).value).toBe('');
    expect(api.calls).toEqual([]);
  });

  it('watches the link once the user agrees to stop the broadcast', async () => {
    const api = broadcastingApi();
    render(<App api={api} />);
    await act(async () => api.pushLink(VALID_ADDRESS));
    await act(async () => {
      fireEvent.click(screen.getByTestId('stop-and-watch-button'));
    });
    expect(api.calls).toEqual([{ method: 'watch', arg: VALID_ADDRESS }]);
    expect((screen.getByTestId('address-input') as HTMLInputElement).value).toBe(VALID_ADDRESS);
    expect(screen.queryByTestId('confirm-stop-broadcast')).toBeNull();
  });

  it('asks the same when the Watch button would stop a broadcast', async () => {
    const api = broadcastingApi();
    render(<App api={api} />);
    fireEvent.change(screen.getByTestId('address-input'), { target: { value: VALID_ADDRESS } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('watch-button'));
    });
    expect(screen.getByTestId('confirm-stop-broadcast')).toBeTruthy();
    expect(api.calls).toEqual([]);
  });

  it('starts the demo broadcast from Go Live and shows a folder field in the browser host', async () => {
    const api = new FakeApi();
    render(<App api={api} />);
    fireEvent.click(screen.getByTestId('nav-go-live'));
    expect(screen.getByTestId('folder-path-input')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByTestId('demo-button'));
    });
    expect(api.calls).toContainEqual({ method: 'startBroadcast', arg: { demo: true } });
  });

  it('uses the native folder picker in Electron, and shows the address once live', async () => {
    const api = new FakeApi();
    api.host = 'electron';
    api.pickFolder = async () => '/home/me/hls';
    render(<App api={api} />);
    fireEvent.click(screen.getByTestId('nav-go-live'));
    expect(screen.queryByTestId('folder-path-input')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByTestId('go-live-button'));
    });
    expect(api.calls).toContainEqual({ method: 'startBroadcast', arg: { folder: '/home/me/hls' } });

    act(() =>
      api.pushSnapshot(
        makeSnapshot({
          mode: 'broadcasting',
          state: 'playing',
          address: VALID_ADDRESS,
          playlistUrl: 'shoal-media://stream/x/master.m3u8',
          broadcast: { folder: '/home/me/hls', renditions: 1, viewers: 3, stalled: true },
          segments: { ingested: 12, received: 0, failed: 0, held: 12 },
        }),
      ),
    );
    expect(screen.getByTestId('address-display').textContent).toBe(VALID_ADDRESS);
    expect(screen.getByTestId('viewers-count').textContent).toBe('3');
    expect(screen.getByTestId('audience-estimate').textContent).toBe('≈ 3');
    expect(screen.getByTestId('segments-ingested').textContent).toBe('12');
    expect(screen.getByTestId('outage-notice').textContent).toMatch(/^Encoder stalled.*stopped growing/);
  });
});
