// Subkey lists: index leaf (li), fast leaf (lf), hash leaf (lh) and index root (ri), whose
// elements are leaves. An index root never points to another index root and a leaf never
// points to an index root, so the walk is at most two levels deep.
// Reference: M. Suhanov, "Windows registry file format specification", "Index leaf",
// "Fast leaf", "Hash leaf", "Index root".

import { corrupt } from '../errors.js';
import type { Bytes } from '../io/bytes.js';
import { HIVE_BINS_START } from './base-block.js';
import type { CellMap } from './hive-bins.js';

const STRUCTURE = 'regf subkey list';

/** Element size of each list kind; ri elements are offsets of leaves. */
const ELEMENT_SIZE: Record<string, number> = { li: 4, lf: 8, lh: 8, ri: 4 };

function listKind(b: Bytes): string {
  const sig = b.length >= 2 ? b.ascii(0, 2) : '';
  if (!(sig in ELEMENT_SIZE))
    throw corrupt(`${STRUCTURE} (${sig || '?'})`, b.base, 'bad signature', 'li, lf, lh or ri', sig);
  return sig;
}

/** Element offsets (absolute) of one list, its count checked against the cell first. */
function elements(b: Bytes, kind: string): number[] {
  const count = b.u16le(2);
  const size = ELEMENT_SIZE[kind]!;
  if (4 + count * size > b.length) {
    throw corrupt(
      `${STRUCTURE} (${kind})`,
      b.base + 2,
      'element count exceeds the list cell',
      `<= ${Math.floor((b.length - 4) / size)}`,
      count,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(HIVE_BINS_START + b.u32le(4 + i * size));
  return out;
}

/** The absolute offsets of the nk cells a subkey list (of any kind) points to, in order. */
export function subkeyOffsets(cells: CellMap, listOffset: number): number[] {
  const top = cells.cellData(listOffset, STRUCTURE);
  const kind = listKind(top);
  if (kind !== 'ri') return elements(top, kind);
  const out: number[] = [];
  for (const leafOffset of elements(top, 'ri')) {
    const leaf = cells.cellData(leafOffset, STRUCTURE);
    const leafKind = listKind(leaf);
    if (leafKind === 'ri') {
      throw corrupt(
        `${STRUCTURE} (ri)`,
        leaf.base,
        'an index root points to another index root',
        'li, lf or lh',
        'ri',
      );
    }
    for (const nk of elements(leaf, leafKind)) out.push(nk);
  }
  return out;
}
