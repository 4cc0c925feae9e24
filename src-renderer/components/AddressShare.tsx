// The stream address as the broadcaster hands it out: text, copy button and QR code. Once
// the stream's record is on the DHT (PROTOCOL §15), the short address shoal://<id> comes
// first (it keeps working when this machine's IP changes); the full one, with host:port,
// works without the DHT.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { CopyButton } from './CopyButton';
import { QrCode } from './QrCode';

interface Props {
  address: string;
  shortAddress?: string | null;
  dht?: StatsSnapshot['dht'];
}

/** What the DHT is doing for the short address, when it is not there yet (null: nothing to say). */
function dhtNote(dht: Props['dht']): string | null {
  if (!dht || dht.state === 'off') return null;
  if (dht.message) return `Short address not available yet: ${dht.message}`;
  if (dht.state === 'no-nodes')
    return 'Short address not available yet: no DHT node answered (check Settings → Discovery).';
  return 'Publishing the short address on the DHT…';
}

function AddressField({
  label,
  hint,
  address,
  testId,
  primary,
}: {
  label: string;
  hint: string;
  address: string;
  testId: string;
  primary: boolean;
}) {
  const labelId = `${testId}-label`;
  return (
    <div className="address-share-text">
      <div className="field-label" id={labelId}>
        {label}
      </div>
      <p className="field-hint">{hint}</p>
      <code className="address-display mono" data-testid={testId} aria-labelledby={labelId}>
        {address}
      </code>
      <CopyButton
        text={address}
        label={primary ? 'Copy address' : 'Copy full address'}
        testId={primary ? 'copy-address-button' : 'copy-full-address-button'}
        className={primary ? 'btn btn-primary' : 'btn btn-secondary'}
      />
    </div>
  );
}

export function AddressShare({ address, shortAddress = null, dht }: Props) {
  const note = shortAddress ? null : dhtNote(dht);
  return (
    <div className="address-share">
      <QrCode text={shortAddress ?? address} />
      {shortAddress ? (
        <>
          <AddressField
            label="Stream address"
            hint="Viewers paste this into Shoal, or scan the code. Shoal finds you by it on the DHT, even after your IP changes."
            address={shortAddress}
            testId="short-address-display"
            primary
          />
          <AddressField
            label="Full address"
            hint="With host:port: works without the DHT (e.g. on a LAN without internet)."
            address={address}
            testId="address-display"
            primary={false}
          />
        </>
      ) : (
        <AddressField
          label="Stream address"
          hint="Viewers paste this into Shoal, or scan the code."
          address={address}
          testId="address-display"
          primary
        />
      )}
      {note && (
        <p className="field-hint" data-testid="dht-note" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
