// Every partition type name the disk map shows is spelled as util-linux prints it:
// compared with `sfdisk --label gpt|dos --list-types`.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GPT_TYPE_NAMES, MBR_TYPE_NAMES, partitionTypeLabel } from './partition-types.js';

function sfdiskTypes(label: 'gpt' | 'dos'): Map<string, string> {
  const out = execFileSync('sfdisk', ['--label', label, '--list-types'], { encoding: 'utf8' });
  const types = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9A-Fa-f-]+)\s{2}(.+)$/.exec(line);
    if (m) types.set(m[1]!.toUpperCase(), m[2]!.trim());
  }
  return types;
}

describe('partition type names', () => {
  it('match sfdisk for every GPT type GUID we name', () => {
    const sfdisk = sfdiskTypes('gpt');
    for (const [guid, name] of Object.entries(GPT_TYPE_NAMES)) {
      expect([guid, sfdisk.get(guid)]).toEqual([guid, name]);
    }
  });

  it('match sfdisk for every MBR type byte we name', () => {
    const sfdisk = sfdiskTypes('dos');
    for (const [id, name] of Object.entries(MBR_TYPE_NAMES)) {
      const hex = Number(id).toString(16).toUpperCase();
      expect([hex, sfdisk.get(hex)]).toEqual([hex, name]);
    }
  });

  it('labels GPT and MBR partitions, and says when a type is unknown', () => {
    expect(partitionTypeLabel({ gptType: '0fc63daf-8483-4772-8e79-3d69d8477de4' })).toEqual({
      name: 'Linux filesystem',
      id: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    });
    expect(partitionTypeLabel({ mbrId: 0x83 })).toEqual({ name: 'Linux', id: '0x83' });
    expect(partitionTypeLabel({ mbrId: 0x0c })).toEqual({ name: 'W95 FAT32 (LBA)', id: '0x0c' });
    expect(partitionTypeLabel({ mbrId: 0x99 }).name).toBe('unknown MBR type');
    expect(partitionTypeLabel({})).toEqual({ name: '', id: '' });
  });
});
