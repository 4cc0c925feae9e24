// Upload control, peers, ports, latency, the HTTP gateway and discovery on the DHT. Edits a local copy; Save
// validates against the contract's limits and sends only through `updateSettings`.

import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Settings } from '../../src-shared/contract.js';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeader } from '../components/PageHeader';
import { ReachabilityLine } from '../components/ReachabilityLine';
import { UploadCapLine } from '../components/UploadCapLine';
import { useApi } from '../host/api-context';
import { toErrorInfo } from '../state/error-info';
import { useSettings } from '../state/settings-store';
import { useUi } from '../state/ui-store';
import {
  formFromSettings,
  validateSettingsForm,
  type SettingsForm,
  type SettingsFormErrors,
} from './settings-form';

/** An on/off setting; its test id is its id. */
function Switch({
  id,
  checked,
  disabled,
  onChange,
}: {
  id: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <input
      id={id}
      data-testid={id}
      type="checkbox"
      className="switch"
      checked={checked}
      disabled={disabled}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}

function SettingRow({
  label,
  hint,
  htmlFor,
  error,
  errorId,
  children,
}: {
  label: string;
  hint: string;
  htmlFor: string;
  error?: string;
  errorId?: string;
  children: ReactNode;
}) {
  return (
    <div className="setting-row">
      <div className="setting-text">
        <label className="field-label" htmlFor={htmlFor}>
          {label}
        </label>
        <p className="field-hint">{hint}</p>
        {error && (
          <p className="field-error" id={errorId} data-testid={`error-${htmlFor}`}>
            {error}
          </p>
        )}
      </div>
      <div className="setting-control">{children}</div>
    </div>
  );
}

function NumberInput({
  id,
  value,
  onChange,
  error,
  disabled,
  unit,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  disabled?: boolean;
  unit?: string;
}) {
  // The unit sits inside the field's box, so every control ends on the same right edge.
  return (
    <div
      className="number-input"
      data-invalid={error ? 'true' : undefined}
      data-disabled={disabled ? 'true' : undefined}
    >
      <input
        id={id}
        data-testid={id}
        className="num"
        inputMode="numeric"
        value={value}
        disabled={disabled}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {unit && (
        <span className="unit" aria-hidden="true">
          {unit}
        </span>
      )}
    </div>
  );
}

function SettingsEditor({ settings }: { settings: Settings }) {
  const api = useApi();
  const setSettings = useSettings((s) => s.setSettings);
  const saveError = useUi((s) => s.errors.settings);
  const setError = useUi((s) => s.setError);
  const [form, setForm] = useState<SettingsForm>(() => formFromSettings(settings));
  const [errors, setErrors] = useState<SettingsFormErrors>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const uid = useId();

  // When the engine's settings change underneath (saved elsewhere, reconnect), start over.
  useEffect(() => {
    setForm(formFromSettings(settings));
  }, [settings]);
  useEffect(() => {
    if (!saved) return;
    const timer = setTimeout(() => setSaved(false), 2500);
    return () => clearTimeout(timer);
  }, [saved]);

  const dirty = JSON.stringify(form) !== JSON.stringify(formFromSettings(settings));
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
    setSaved(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = validateSettingsForm(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setSaving(true);
    setError('settings', null);
    try {
      setSettings(await api.updateSettings(result.patch));
      setSaved(true);
    } catch (err) {
      setError('settings', toErrorInfo(err));
    } finally {
      setSaving(false);
    }
  };

  const id = (name: string) => `setting-${name}`;
  const err = (name: keyof SettingsForm) => errors[name];

  return (
    <form className="settings-form" onSubmit={submit} noValidate aria-describedby={`${uid}-status`}>
      <section className="card settings-section" aria-labelledby={`${uid}-bw`}>
        <h2 className="card-title" id={`${uid}-bw`}>
          Bandwidth
        </h2>
        <SettingRow
          label="Limit upload"
          hint="Cap what Shoal sends to other peers, so streaming does not crowd out the rest of your connection."
          htmlFor={id('upload-cap')}
          error={err('uploadCapKbps')}
          errorId={`${id('upload-cap')}-error`}
        >
          <div className="inline-controls">
            <input
              type="checkbox"
              className="switch"
              aria-label="Limit upload"
              data-testid="setting-upload-cap-enabled"
              checked={form.uploadCapEnabled}
              onChange={(e) => set('uploadCapEnabled', e.target.checked)}
            />
            <NumberInput
              id={id('upload-cap')}
              value={form.uploadCapKbps}
              onChange={(v) => set('uploadCapKbps', v)}
              error={err('uploadCapKbps')}
              disabled={!form.uploadCapEnabled}
              unit="kbit/s"
            />
          </div>
        </SettingRow>
        <SettingRow
          label="Automatic upload limit"
          hint="While you watch with no limit set, Shoal finds how much your connection can upload and stays under it, so the pieces other viewers need soonest go out first and your line stays responsive. (When you broadcast, set a limit: about 90% of your upload.)"
          htmlFor={id('upload-cap-auto')}
        >
          <Switch
            id={id('upload-cap-auto')}
            checked={form.uploadCapAuto && !form.uploadCapEnabled}
            disabled={form.uploadCapEnabled}
            onChange={(on) => set('uploadCapAuto', on)}
          />
        </SettingRow>
        <UploadCapLine />
        <SettingRow
          label="Don't upload"
          hint="Download only, for metered or slow connections. Other viewers then rely more on the broadcaster."
          htmlFor={id('no-upload')}
        >
          <Switch id={id('no-upload')} checked={form.noUpload} onChange={(on) => set('noUpload', on)} />
        </SettingRow>
      </section>

      <section className="card settings-section" aria-labelledby={`${uid}-net`}>
        <h2 className="card-title" id={`${uid}-net`}>
          Peers and network
        </h2>
        <SettingRow
          label="Maximum peers"
          hint="How many other nodes to exchange video with at once. Applies from the next broadcast or watch."
          htmlFor={id('max-peers')}
          error={err('maxPeers')}
          errorId={`${id('max-peers')}-error`}
        >
          <NumberInput
            id={id('max-peers')}
            value={form.maxPeers}
            onChange={(v) => set('maxPeers', v)}
            error={err('maxPeers')}
          />
        </SettingRow>
        <SettingRow
          label="UDP port"
          hint="With port mapping on, the router forwards it for you if it can; otherwise forward it by hand so more peers can reach you. 0 picks a free port. Applies from the next broadcast or watch."
          htmlFor={id('udp-port')}
          error={err('udpPort')}
          errorId={`${id('udp-port')}-error`}
        >
          <NumberInput
            id={id('udp-port')}
            value={form.udpPort}
            onChange={(v) => set('udpPort', v)}
            error={err('udpPort')}
          />
        </SettingRow>
        <SettingRow
          label="Port mapping"
          hint="Ask your router to forward the UDP port (UPnP, PCP or NAT-PMP), so peers behind other routers can reach you."
          htmlFor={id('port-mapping')}
        >
          <Switch
            id={id('port-mapping')}
            checked={form.portMapping}
            onChange={(on) => set('portMapping', on)}
          />
        </SettingRow>
        <ReachabilityLine />
        <SettingRow
          label="Latency"
          hint="How many segments behind live to join. Fewer is closer to live; more rides out slow peers. Applies from the next watch."
          htmlFor={id('join-distance')}
          error={err('joinDistanceSegments')}
          errorId={`${id('join-distance')}-error`}
        >
          <div className="range-control">
            <input
              type="range"
              min={1}
              max={20}
              aria-label="Join distance in segments"
              value={Number(form.joinDistanceSegments) || 1}
              onChange={(e) => set('joinDistanceSegments', e.target.value)}
            />
            <NumberInput
              id={id('join-distance')}
              value={form.joinDistanceSegments}
              onChange={(v) => set('joinDistanceSegments', v)}
              error={err('joinDistanceSegments')}
              unit="segments"
            />
          </div>
        </SettingRow>
      </section>

      <section className="card settings-section" aria-labelledby={`${uid}-gw`}>
        <h2 className="card-title" id={`${uid}-gw`}>
          HTTP gateway
        </h2>
        <SettingRow
          label="Enable gateway"
          hint="Serves the stream on 127.0.0.1 so VLC, mpv or OBS can play it."
          htmlFor={id('gateway-enabled')}
        >
          <Switch
            id={id('gateway-enabled')}
            checked={form.gatewayEnabled}
            onChange={(on) => set('gatewayEnabled', on)}
          />
        </SettingRow>
        <SettingRow
          label="Gateway port"
          hint="Local port of the gateway. 0 picks a free port."
          htmlFor={id('gateway-port')}
          error={err('gatewayPort')}
          errorId={`${id('gateway-port')}-error`}
        >
          <NumberInput
            id={id('gateway-port')}
            value={form.gatewayPort}
            onChange={(v) => set('gatewayPort', v)}
            error={err('gatewayPort')}
            disabled={!form.gatewayEnabled}
          />
        </SettingRow>
      </section>

      <section className="card settings-section" aria-labelledby={`${uid}-dht`}>
        <h2 className="card-title" id={`${uid}-dht`}>
          Discovery (DHT)
        </h2>
        <SettingRow
          label="Use the BitTorrent DHT"
          hint="Publishes your broadcast's short address shoal://<id> and finds streams and viewers by it. Off: addresses need host:port."
          htmlFor={id('dht-enabled')}
        >
          <Switch id={id('dht-enabled')} checked={form.dhtEnabled} onChange={(on) => set('dhtEnabled', on)} />
        </SettingRow>
        <SettingRow
          label="Bootstrap nodes"
          hint="DHT nodes to join through, host:port, one per line. Empty: no bootstrap (a private DHT). Applies to the next broadcast or watch."
          htmlFor={id('dht-bootstrap')}
          error={err('dhtBootstrap')}
          errorId={`${id('dht-bootstrap')}-error`}
        >
          <textarea
            id={id('dht-bootstrap')}
            data-testid={id('dht-bootstrap')}
            className="input mono dht-bootstrap-input"
            rows={4}
            spellCheck={false}
            value={form.dhtBootstrap}
            disabled={!form.dhtEnabled}
            aria-invalid={err('dhtBootstrap') ? 'true' : 'false'}
            aria-describedby={err('dhtBootstrap') ? `${id('dht-bootstrap')}-error` : undefined}
            onChange={(e) => set('dhtBootstrap', e.target.value)}
          />
        </SettingRow>
      </section>

      {saveError && <ErrorMessage title="Settings were not saved" error={saveError} />}

      <div className="form-actions">
        <span id={`${uid}-status`} className="form-status" role="status">
          {saved ? 'Settings saved.' : dirty ? 'You have unsaved changes.' : ''}
        </span>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={!dirty || saving}
          onClick={() => {
            setForm(formFromSettings(settings));
            setErrors({});
          }}
        >
          Revert
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="settings-save"
          disabled={!dirty || saving}
        >
          {saving && <span className="spinner" aria-hidden="true" />}
          Save changes
        </button>
      </div>
    </form>
  );
}

export function SettingsPage() {
  const settings = useSettings((s) => s.settings);
  const loadError = useUi((s) => s.errors.settings);
  return (
    <div className="page page-narrow">
      <PageHeader
        title="Settings"
        subtitle="Bandwidth, peers, ports and latency. Upload, port mapping and gateway changes apply at once; the others say when."
      />
      {settings ? (
        <SettingsEditor settings={settings} />
      ) : loadError ? (
        <ErrorMessage title="Could not load settings" error={loadError} />
      ) : (
        <div className="card loading-card">
          <span className="spinner" aria-hidden="true" /> Loading settings…
        </div>
      )}
    </div>
  );
}
