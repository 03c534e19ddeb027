// `--key SELECTOR` for every command, as the virt tools take it: ID:key:PASSPHRASE,
// ID:file:FILENAME (the key is the file's first line) or ID:clevis, where ID is a device
// name (/dev/sda2, /dev/VG/LV or /dev/mapper/VG-LV), a LUKS UUID, or `all`. After launch
// each command opens the encrypted devices it has keys for, then lets LVM activate what
// they hold (libguestfs-common options/decrypt.c, inspect_do_decrypt), before listing or
// mounting anything. Passphrases never reach a message: a bad selector is echoed with its
// key replaced by "***".

import * as fs from 'node:fs';
import { EngineError } from '../../engine/errors.js';
import type { Guestfs } from '../../engine/guestfs/handle.js';
import { type KeySpec, parseKeySelector } from '../../engine/volumes/luks/index.js';
import { type CommonArgs, UsageError } from '../args.js';

/** "ID:key:SECRET" → "ID:key:***"; anything after the type field is hidden. */
function redact(selector: string): string {
  const [id = '', type, ...rest] = selector.split(':');
  return type === undefined ? id : [id, type, ...(rest.length ? ['***'] : [])].join(':');
}

export function keySpecs(args: CommonArgs): KeySpec[] {
  return args.keys.map((selector) => {
    try {
      return parseKeySelector(selector);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      // The engine's message quotes the selector, key included: keep only the reason.
      const why = e.message.slice(e.message.lastIndexOf("': ") + 3);
      throw new UsageError(`--key ${redact(selector)}: ${why}`);
    }
  });
}

/**
 * Opens the LUKS volumes the --key options unlock (after launch), then warns about the
 * encrypted devices left closed, unless `warn` is omitted (virt-filesystems is silent).
 */
export async function openEncrypted(
  g: Guestfs,
  args: CommonArgs,
  warn?: (line: string) => void,
): Promise<void> {
  const specs = keySpecs(args);
  await g.prepareVolumes();
  const r = g.decrypt_disks(specs, { readFile: (f) => new Uint8Array(fs.readFileSync(f)) });
  for (const d of r.skipped)
    warn?.(
      `guestkit: warning: ${d} is encrypted (LUKS): give --key ${d}:key:PASSPHRASE to open it`,
    );
}
