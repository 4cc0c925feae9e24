// The Settings page edits text fields; this turns them into a validated SettingsPatch
// (or per-field messages) using the contract's own limits, so the form and the engine
// can never disagree about what is allowed.

import {
  DHT_NODE_PATTERN,
  MAX_DHT_BOOTSTRAP_NODES,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../src-shared/contract.js';

export interface SettingsForm {
  uploadCapEnabled: boolean;
  uploadCapKbps: string;
  /** With no limit set: find the line's upload and stay just under it (PROTOCOL §9.4). */
  uploadCapAuto: boolean;
  noUpload: boolean;
  maxPeers: string;
  udpPort: string;
  joinDistanceSegments: string;
  gatewayEnabled: boolean;
  gatewayPort: string;
  dhtEnabled: boolean;
  /** DHT bootstrap nodes, host:port, one per line (or comma-separated). */
  dhtBootstrap: string;
  portMapping: boolean;
}

export type SettingsFormErrors = Partial<Record<keyof SettingsForm, string>>;

export type SettingsFormResult =
  { ok: true; patch: SettingsPatch } | { ok: false; errors: SettingsFormErrors };

export function formFromSettings(s: Settings): SettingsForm {
  return {
    uploadCapEnabled: s.uploadCapKbps !== null,
    uploadCapKbps: s.uploadCapKbps === null ? '' : String(s.uploadCapKbps),
    uploadCapAuto: s.uploadCapAuto,
    noUpload: s.noUpload,
    maxPeers: String(s.maxPeers),
    udpPort: String(s.udpPort),
    joinDistanceSegments: String(s.joinDistanceSegments),
    gatewayEnabled: s.gatewayEnabled,
    gatewayPort: String(s.gatewayPort),
    dhtEnabled: s.dhtEnabled,
    dhtBootstrap: s.dhtBootstrap.join('\n'),
    portMapping: s.portMapping,
  };
}

function integer(
  text: string,
  min: number,
  max: number,
  what: string,
): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: `Enter ${what}.` };
  if (!/^\d+$/.test(trimmed)) return { error: `${capitalize(what)} must be a whole number.` };
  const value = Number(trimmed);
  if (value < min || value > max) return { error: `${capitalize(what)} must be between ${min} and ${max}.` };
  return { value };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Limits come from the contract's schema so they stay in one place.
const limits = (key: 'uploadCapKbps' | 'maxPeers' | 'udpPort' | 'joinDistanceSegments' | 'gatewayPort') => {
  const schema = SettingsSchema.shape[key];
  const inner = 'unwrap' in schema ? schema.unwrap() : schema;
  return { min: inner.minValue ?? 0, max: inner.maxValue ?? Number.MAX_SAFE_INTEGER };
};

export function validateSettingsForm(form: SettingsForm): SettingsFormResult {
  const errors: SettingsFormErrors = {};
  const patch: SettingsPatch = {
    noUpload: form.noUpload,
    gatewayEnabled: form.gatewayEnabled,
    portMapping: form.portMapping,
  };

  const check = (
    field: 'uploadCapKbps' | 'maxPeers' | 'udpPort' | 'joinDistanceSegments' | 'gatewayPort',
    what: string,
  ): number | undefined => {
    const { min, max } = limits(field);
    const result = integer(form[field], min, max, what);
    if ('error' in result) {
      errors[field] = result.error;
      return undefined;
    }
    return result.value;
  };

  if (form.uploadCapEnabled) patch.uploadCapKbps = check('uploadCapKbps', 'the upload cap');
  else patch.uploadCapKbps = null;
  patch.uploadCapAuto = form.uploadCapAuto;
  patch.maxPeers = check('maxPeers', 'the peer limit');
  patch.udpPort = check('udpPort', 'the UDP port');
  patch.joinDistanceSegments = check('joinDistanceSegments', 'the join distance');
  // A disabled gateway keeps its port; only check what the user can see and change.
  if (form.gatewayEnabled) patch.gatewayPort = check('gatewayPort', 'the gateway port');
  patch.dhtEnabled = form.dhtEnabled;
  const nodes = dhtNodes(form.dhtBootstrap);
  if (typeof nodes === 'string') errors.dhtBootstrap = nodes;
  else patch.dhtBootstrap = nodes;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, patch: Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
}

/** The bootstrap list as typed: host:port per line or comma-separated; a message if wrong. */
function dhtNodes(text: string): string[] | string {
  const nodes = text
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const max = MAX_DHT_BOOTSTRAP_NODES;
  if (nodes.length > max) return `At most ${max} bootstrap nodes.`;
  const bad = nodes.find((n) => !DHT_NODE_PATTERN.test(n));
  return bad === undefined ? nodes : `"${bad}" is not host:port.`;
}
