// The small text rules libguestfs' inspection applies to guest configuration files: KEY=value
// lines (os-release, lsb-release, sysconfig), shell-style and simple unquoting, version
// numbers as "major.minor" found anywhere in a string, canonical Unix paths. Kept apart so
// that every detector spells them the same way.
// Reference: libguestfs daemon/utils.ml (parse_key_value_strings, simple_unquote,
// unix_canonical_path), daemon/inspect_utils.ml (parse_version_from_major_minor),
// common/utils/utils.c (guestfs_int_shell_unquote).

import type { OsRoot } from './types.js';

/**
 * parse_key_value_strings: empty lines and lines starting with "#" are dropped, every
 * other line splits at its first "=" (a line without one is a key with an empty value).
 */
export function parseKeyValueStrings(
  lines: readonly string[],
  unquote: (s: string) => string = (s) => s,
): [string, string][] {
  const out: [string, string][] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) out.push([line, unquote('')]);
    else out.push([line.slice(0, eq), unquote(line.slice(eq + 1))]);
  }
  return out;
}

/** simple_unquote: one pair of matching outer "…" or '…' removed, nothing else. */
export function simpleUnquote(s: string): string {
  const n = s.length;
  if (n >= 2 && ((s[0] === '"' && s[n - 1] === '"') || (s[0] === "'" && s[n - 1] === "'")))
    return s.slice(1, n - 1);
  return s;
}

/**
 * The shell's quoting rules for one word, as os-release(5) allows them: inside "…" a
 * backslash escapes $ ` " \ (and is kept before anything else), inside '…' nothing is
 * special, outside quotes a backslash escapes the next character.
 */
export function shellUnquote(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return out + s.slice(i + 1);
      out += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '$`"\\'.includes(s[i + 1]!)) i++;
        out += s[i++];
      }
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      out += s[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A decimal that fits OCaml's int_of_string on these inputs (no overflow in practice). */
const int = (s: string) => Number.parseInt(s, 10);

/**
 * parse_version_from_major_minor: the first "N.M" anywhere in the string, else the first
 * "N" (minor 0); the version is left as it was when neither occurs.
 */
export function parseVersionFromMajorMinor(str: string, d: Partial<OsRoot>): void {
  const mm = /(\d+)\.(\d+)/.exec(str);
  if (mm) return setVersion(d, int(mm[1]!), int(mm[2]!));
  const m = /(\d+)/.exec(str);
  if (m) setVersion(d, int(m[1]!), 0);
}

export function setVersion(d: Partial<OsRoot>, major: number, minor: number): void {
  d.major_version = major;
  d.minor_version = minor;
}

export function hasVersion(d: Partial<OsRoot>): boolean {
  return d.major_version !== undefined;
}

/** unix_canonical_path: "///usr//local//" → "/usr/local" (relative paths stay relative). */
export function unixCanonicalPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return (path.startsWith('/') ? '/' : '') + parts.join('/');
}
