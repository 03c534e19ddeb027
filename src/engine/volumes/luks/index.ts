// The LUKS volume layer: open a LUKS1/LUKS2 header (no key needed), unlock it into a
// decrypted BlockSource, and the libguestfs action semantics around that (api.ts).
//
//   await prepareLuks();                       // once: WASM hashes and the Argon2 module
//   const c = LuksContainer.open(partition);   // corrupt/unsupported on a bad header
//   const v = c.unlock('passphrase');          // 'locked' when no keyslot opens
//   v.readAt(0, 4096);                         // plaintext; v.device('name', member)
//
// Reference: LUKS1 On-Disk Format Specification 1.2.3; LUKS2 On-Disk Format
// Specification 1.1.

export { LuksContainer, LuksVolume, isLuks, prepareLuks } from './luks.js';
export type { UnlockOptions, UnlockProgress } from './luks.js';
export {
  LuksMappings,
  MAPPER,
  decryptMapname,
  keysForDevice,
  listDmDevices,
  luksUuid,
  lvMapperName,
  mapnameOf,
  openWithKeys,
  parseKeySelector,
  unescapeLvId,
  validateMapname,
} from './api.js';
export type { KeySpec, OpenRequest } from './api.js';
