// The key every signed vector of PROTOCOL §14 and §15.5 is signed with: RFC 8032 §7.1
// TEST 1, so anyone can check the key derivation against the RFC (PROTOCOL §14.2).

import { createPrivateKey } from 'node:crypto';

export const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const STREAM_ID = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
export const PRIVATE_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(SEED, 'hex')]),
  format: 'der',
  type: 'pkcs8',
});
