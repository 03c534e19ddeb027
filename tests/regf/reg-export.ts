// Parses `hivexregedit --export` output (regedit .reg syntax as hivex writes it: one
// `[\path]` block per key, values as `dword:` or `hex(T):` bytes, `@` for the default
// value) into path → name → {type, bytes}. It is the independent truth for regf tests.

import * as fs from 'node:fs';

export interface ExportedValue {
  type: number;
  hex: string;
}
export type ExportedHive = Map<string, Map<string, ExportedValue>>;

function unquote(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function parseValue(text: string): ExportedValue {
  if (text.startsWith('dword:')) {
    const v = parseInt(text.slice(6), 16);
    const hex = [0, 8, 16, 24]
      .map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, '0'))
      .join('');
    return { type: 4, hex };
  }
  const m = /^hex(?:\(([0-9a-f]+)\))?:(.*)$/.exec(text);
  if (!m) throw new Error(`unparsed value ${text.slice(0, 40)}`);
  return { type: m[1] === undefined ? 3 : parseInt(m[1], 16), hex: m[2]!.replace(/,/g, '') };
}

/** Split `"name"=value` honouring \" and \\ escapes; `@=` is the default value "". */
function splitLine(line: string): [string, string] {
  if (line.startsWith('@=')) return ['', line.slice(2)];
  let i = 1;
  while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
  return [unquote(line.slice(1, i)), line.slice(i + 2)];
}

export function parseRegExport(file: string): ExportedHive {
  const out: ExportedHive = new Map();
  let current: Map<string, ExportedValue> | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('[')) {
      const path = line.slice(2, -1);
      current = new Map();
      out.set(path, current);
    } else if (current && (line.startsWith('"') || line.startsWith('@='))) {
      const [name, value] = splitLine(line);
      current.set(name, parseValue(value));
    }
  }
  return out;
}
