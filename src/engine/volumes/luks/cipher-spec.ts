// dm-crypt cipher specifications as LUKS stores them: "aes-xts-plain64",
// "aes-cbc-essiv:sha256", "twofish-xts-plain64", "aes-lrw-benbi", "serpent-cbc-plain".
// LUKS1 keeps the cipher name and "mode-iv" in two fields; LUKS2 keeps the joined string.
// Reference: cryptsetup(8) "--cipher", Linux Documentation/admin-guide/device-mapper/
// dm-crypt.rst (cipher format cipher[:keycount]-chainmode-ivmode[:ivopts]).

import { corrupt, unsupported } from '../../errors.js';
import { CIPHER_KEY_SIZES } from '../../crypto/block-cipher.js';

export type ChainMode = 'xts' | 'cbc' | 'lrw' | 'ecb';
export type IvMode = 'plain' | 'plain64' | 'plain64be' | 'essiv' | 'benbi' | 'null' | 'none';

export interface CipherSpec {
  /** The whole specification, as shown to users. */
  readonly text: string;
  readonly cipher: string;
  readonly mode: ChainMode;
  readonly iv: IvMode;
  /** The ESSIV hash ("sha256", "wp256"). */
  readonly ivHash?: string;
}

const MODES: readonly string[] = ['xts', 'cbc', 'lrw', 'ecb'];
const IVS: readonly string[] = ['plain', 'plain64', 'plain64be', 'essiv', 'benbi', 'null'];

/**
 * Parses a cipher specification. Valid but unimplemented parts (other ciphers, the
 * kernel-API "capi:" form, multi-key "aes:64", lmk/tcw/eboiv IVs, AEAD) are `unsupported`
 * naming the whole specification.
 */
export function parseCipherSpec(text: string): CipherSpec {
  const refuse = (why: string) => unsupported(`cipher ${text}`, why);
  if (text.startsWith('capi:')) throw refuse('kernel crypto API notation');
  const [cipher, mode, ...ivParts] = text.toLowerCase().split('-');
  if (!cipher || !mode) throw refuse('not cipher-mode[-iv]');
  if (cipher.includes(':')) throw refuse('multi-key ciphers');
  if (!(cipher in CIPHER_KEY_SIZES)) throw refuse(`cipher ${cipher} is not implemented`);
  if (!MODES.includes(mode)) throw refuse(`chaining mode ${mode} is not implemented`);
  const ivText = ivParts.join('-');
  // dm-crypt's legacy default: no IV for ecb, "plain" for the others.
  const [iv = mode === 'ecb' ? 'none' : 'plain', ivHash] = ivText ? ivText.split(':') : [];
  if (iv !== 'none' && !IVS.includes(iv)) throw refuse(`IV generator ${iv} is not implemented`);
  if ((iv === 'essiv') !== (ivHash !== undefined)) throw refuse('ESSIV needs exactly one hash');
  if (mode === 'ecb' && iv !== 'none') throw refuse('ECB takes no IV');
  return {
    text,
    cipher,
    mode: mode as ChainMode,
    iv: iv as IvMode,
    ...(ivHash ? { ivHash } : {}),
  };
}

/** Key lengths (bytes) the specification accepts: XTS takes two cipher keys, LRW a
 * cipher key plus a 16-byte tweak key. */
export function validKeyBytes(spec: CipherSpec): number[] {
  const sizes = CIPHER_KEY_SIZES[spec.cipher]!;
  if (spec.mode === 'xts') return sizes.map((n) => 2 * n);
  if (spec.mode === 'lrw') return sizes.map((n) => n + 16);
  return [...sizes];
}

/** Throws `corrupt` (at `structure`/`offset`) when `keyBytes` cannot key `spec`. */
export function checkKeyBytes(
  spec: CipherSpec,
  keyBytes: number,
  structure: string,
  offset: number,
): void {
  const valid = validKeyBytes(spec);
  if (!valid.includes(keyBytes)) {
    throw corrupt(
      structure,
      offset,
      `key size does not fit ${spec.text}`,
      valid.join('|'),
      keyBytes,
    );
  }
}
