// Reading `blkid -p -o export` output — the independent oracle of the probe tests — and
// putting our ProbeResult in the same shape, so that whole key sets can be compared.

import { execFileSync } from 'node:child_process';
import type { ProbeResult } from '../../src/engine/fs/probe/types.js';

/** Keys blkid prints that come from other chains (partition tables) or the device. */
const NOT_OURS = /^(DEVNAME|PTTYPE|PTUUID|PART_ENTRY_.*)$/;

/**
 * blkid's safe_print(): bytes >= 0x80 as "M-" + (byte - 0x80), control bytes as "^" +
 * (byte ^ 0x40), and a backslash before each of ` \"'$\`<>`. Undo it back to bytes, then
 * read the bytes as UTF-8 (as the probe decodes labels).
 */
export function unescapeBlkid(v: string): string {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    let meta = 0;
    if (v.startsWith('M-', i)) {
      meta = 0x80;
      i += 2;
    }
    let c = v.charCodeAt(i);
    if (c === 0x5e && i + 1 < v.length) {
      c = v.charCodeAt(++i) ^ 0x40;
    } else if (c === 0x5c && i + 1 < v.length) {
      c = v.charCodeAt(++i);
    }
    out.push(c | meta);
  }
  return new TextDecoder().decode(Uint8Array.from(out));
}

/** Parse export output into KEY → value, without the keys that are not the probe's. */
export function parseExport(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!NOT_OURS.test(key)) out[key] = unescapeBlkid(line.slice(eq + 1));
  }
  return out;
}

/** Our result with blkid's key names. */
export function asExport(r: ProbeResult | undefined): Record<string, string> {
  if (!r) return {};
  const out: Record<string, string> = { TYPE: r.type, USAGE: r.usage, ...r.extra };
  if (r.label !== undefined) out.LABEL = r.label;
  if (r.uuid !== undefined) out.UUID = r.uuid;
  return out;
}

/** Run blkid -p on a file now (for images made or patched inside a test). */
export function blkidNow(path: string): Record<string, string> {
  try {
    return parseExport(execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'latin1' }));
  } catch {
    return {}; // exit 2: nothing found; exit 8: ambivalent result
  }
}
