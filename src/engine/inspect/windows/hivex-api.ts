// libguestfs' hivex_* actions over the regf reader, named and shaped as libguestfs declares
// them (generator/actions_hivex.ml): one open hive per handle (hivex_open closes the
// previous one), node and value handles are int64 offsets of their cells in the hive file
// as hivex uses (the root of a minimal hive is 0x1020), "not found" is 0, lists are arrays
// of { hivex_node_h } / { hivex_value_h }. The hive is read from the guest through the
// `readFile` callback the Guestfs handle supplies. Writing (write=true, commit, add/delete
// child, set value) is not implemented and says so.
// Reference: libguestfs generator/actions_hivex.ml, actions_hivex_deprecated.ml,
// daemon/hivex.c; hivex(3).

import { EngineError, unsupported } from '../../errors.js';
import { Hive } from '../../regf/hive.js';
import { valueString } from '../../regf/value-types.js';

export interface HivexNode {
  hivex_node_h: number;
}
export interface HivexValue {
  hivex_value_h: number;
}
export interface HivexOpenOptions {
  verbose?: boolean;
  debug?: boolean;
  write?: boolean;
  unsafe?: boolean;
}

export class HivexSession {
  private hive: Hive | undefined;

  /** `readFile(path)` returns the bytes of a guest file (a mounted path, as libguestfs). */
  constructor(private readonly readFile: (path: string) => Uint8Array) {}

  private need(fn: string): Hive {
    if (!this.hive)
      throw new EngineError(
        'EINVAL',
        `${fn}: you must call 'hivex-open' first to initialize the hivex handle`,
      );
    return this.hive;
  }

  private node(fn: string, nodeh: number) {
    const hive = this.need(fn);
    if (!hive.isRecord(nodeh, 'nk'))
      throw new EngineError('EINVAL', `${fn}: invalid block or not an 'nk' block`);
    return hive.node(nodeh);
  }

  private value(fn: string, valueh: number) {
    const hive = this.need(fn);
    if (!hive.isRecord(valueh, 'vk'))
      throw new EngineError('EINVAL', `${fn}: invalid block or not an 'vk' block`);
    return hive.value(valueh);
  }

  hivex_open(filename: string, opts: HivexOpenOptions = {}): void {
    this.hive = undefined;
    if (opts.write) throw unsupported('hivex write mode', 'the registry is read-only here');
    this.hive = Hive.open(this.readFile(filename), filename);
  }

  hivex_close(): void {
    this.need('hivex_close');
    this.hive = undefined;
  }

  hivex_root(): number {
    return this.need('hivex_root').baseBlock.rootCell;
  }

  hivex_node_name(nodeh: number): string {
    return this.node('hivex_node_name', nodeh).name;
  }

  hivex_node_children(nodeh: number): HivexNode[] {
    const nk = this.node('hivex_node_children', nodeh);
    return this.hive!.children(nk).map((c) => ({ hivex_node_h: c.offset }));
  }

  /** The child's handle, or 0 when there is no child of that name (case-insensitive). */
  hivex_node_get_child(nodeh: number, name: string): number {
    const nk = this.node('hivex_node_get_child', nodeh);
    return this.hive!.child(nk, name)?.offset ?? 0;
  }

  /** hivex returns the parent field; for the root, whose parent is no key, it fails. */
  hivex_node_parent(nodeh: number): number {
    const nk = this.node('hivex_node_parent', nodeh);
    if (!this.hive!.isRecord(nk.parent, 'nk'))
      throw new EngineError('EINVAL', 'hivex_node_parent: parent is not a valid block');
    return nk.parent;
  }

  hivex_node_values(nodeh: number): HivexValue[] {
    const nk = this.node('hivex_node_values', nodeh);
    return this.hive!.values(nk).map((v) => ({ hivex_value_h: v.offset }));
  }

  /** The value's handle, or 0 when the key has no value of that name ("" = default). */
  hivex_node_get_value(nodeh: number, key: string): number {
    const nk = this.node('hivex_node_get_value', nodeh);
    return this.hive!.getValue(nk, key)?.offset ?? 0;
  }

  hivex_value_key(valueh: number): string {
    return this.value('hivex_value_key', valueh).name;
  }

  hivex_value_type(valueh: number): number {
    return this.value('hivex_value_type', valueh).type;
  }

  hivex_value_value(valueh: number): Uint8Array {
    const vk = this.value('hivex_value_value', valueh);
    return this.hive!.data(vk);
  }

  /** REG_SZ / REG_EXPAND_SZ / REG_LINK as text (UTF-16LE up to the first NUL); EINVAL otherwise. */
  hivex_value_string(valueh: number): string {
    const vk = this.value('hivex_value_string', valueh);
    return valueString(vk.type, this.hive!.data(vk));
  }

  /** Deprecated alias of hivex_value_string. */
  hivex_value_utf8(valueh: number): string {
    return this.hivex_value_string(valueh);
  }

  hivex_commit(_filename: string | null): void {
    this.need('hivex_commit');
    throw unsupported('hivex_commit', 'the registry is read-only here');
  }

  hivex_node_add_child(_parent: number, _name: string): number {
    this.need('hivex_node_add_child');
    throw unsupported('hivex_node_add_child', 'the registry is read-only here');
  }

  hivex_node_delete_child(_nodeh: number): void {
    this.need('hivex_node_delete_child');
    throw unsupported('hivex_node_delete_child', 'the registry is read-only here');
  }

  hivex_node_set_value(_nodeh: number, _key: string, _t: number, _val: Uint8Array): void {
    this.need('hivex_node_set_value');
    throw unsupported('hivex_node_set_value', 'the registry is read-only here');
  }
}
