// Device naming against libguestfs' own test vectors: lib/test-utils.c (test_drive_name,
// test_drive_index), daemon/daemon_utils_tests.ml (split_device_partition) and the tests
// declared for canonical_device_name in generator/actions_core.ml; plus the documented
// examples of part_to_dev / part_to_partnum / device_index in guestfs(3).

import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import {
  canonicalDeviceName,
  compareDeviceNames,
  deviceIndex,
  diskName,
  driveIndex,
  driveLetters,
  parseMapperName,
  partToDev,
  partToPartnum,
  partitionName,
  splitDevicePartition,
} from '../../src/engine/partitions/naming.js';

const DRIVE_NAMES: [number, string][] = [
  [0, 'a'],
  [25, 'z'],
  [26, 'aa'],
  [27, 'ab'],
  [51, 'az'],
  [52, 'ba'],
  [701, 'zz'],
  [702, 'aaa'],
  [18277, 'zzz'],
];

function errorKind(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.kind : 'not an EngineError';
  }
  return undefined;
}

describe('drive names (lib/test-utils.c)', () => {
  for (const [index, letters] of DRIVE_NAMES) {
    it(`${index} ↔ ${letters}`, () => {
      expect(driveLetters(index)).toBe(letters);
      expect(driveIndex(letters)).toBe(index);
      expect(diskName(index)).toBe(`/dev/sd${letters}`);
    });
  }
  it('rejects what is not a-z', () => {
    expect(driveIndex('a1')).toBe(-1);
    expect(driveIndex('')).toBe(-1);
    expect(errorKind(() => driveLetters(-1))).toBe('EINVAL');
  });
});

describe('partition names', () => {
  it('appends the number, with "p" after a trailing digit', () => {
    expect(partitionName('/dev/sda', 1)).toBe('/dev/sda1');
    expect(partitionName('/dev/sdaa', 12)).toBe('/dev/sdaa12');
    expect(partitionName('/dev/md0', 1)).toBe('/dev/md0p1');
    expect(errorKind(() => partitionName('/dev/sda', 0))).toBe('EINVAL');
  });

  it('split_device_partition (daemon_utils_tests.ml)', () => {
    expect(splitDevicePartition('/dev/sda1')).toEqual({ device: 'sda', partnum: 1 });
    expect(splitDevicePartition('/dev/sdb')).toEqual({ device: 'sdb', partnum: 0 });
    expect(splitDevicePartition('/dev/sdc1')).toEqual({ device: 'sdc', partnum: 1 });
    expect(splitDevicePartition('/dev/sdp1')).toEqual({ device: 'sdp', partnum: 1 }); // RHBZ#1611690
    expect(splitDevicePartition('/dev/ubda9')).toEqual({ device: 'ubda', partnum: 9 });
    expect(splitDevicePartition('/dev/md0p1')).toEqual({ device: 'md0', partnum: 1 });
  });

  it('part_to_dev and part_to_partnum', () => {
    expect(partToDev('/dev/sdb1')).toBe('/dev/sdb');
    expect(partToDev('/dev/sdaa15')).toBe('/dev/sdaa');
    expect(partToDev('/dev/md0p1')).toBe('/dev/md0');
    expect(partToPartnum('/dev/sdb1')).toBe(1);
    expect(partToPartnum('/dev/sdaa15')).toBe(15);
    expect(errorKind(() => partToDev('/dev/sdb'))).toBe('EINVAL');
    expect(errorKind(() => partToPartnum('/dev/sdb'))).toBe('EINVAL');
  });
});

describe('canonical_device_name (generator tests)', () => {
  it('renames hd/vd/xvd disks and partitions to sd', () => {
    expect(canonicalDeviceName('/dev/hda')).toBe('/dev/sda');
    expect(canonicalDeviceName('/dev/vdaaa')).toBe('/dev/sdaaa');
    expect(canonicalDeviceName('/dev/sdb')).toBe('/dev/sdb');
    expect(canonicalDeviceName('/dev/hda1')).toBe('/dev/sda1');
    expect(canonicalDeviceName('/dev/vda1')).toBe('/dev/sda1');
    expect(canonicalDeviceName('/dev/xvdb2')).toBe('/dev/sdb2');
  });

  it('leaves md devices, LV paths and non-/dev names alone', () => {
    expect(canonicalDeviceName('/dev/md0')).toBe('/dev/md0');
    expect(canonicalDeviceName('/dev/md127')).toBe('/dev/md127');
    expect(canonicalDeviceName('/dev/VG/LV')).toBe('/dev/VG/LV');
    expect(canonicalDeviceName('/dev/loop0')).toBe('/dev/loop0');
    expect(canonicalDeviceName('sda')).toBe('sda');
  });

  it('/dev/mapper/VG-LV → /dev/VG/LV when the LVM layer knows the LV', () => {
    const lvs = new Set(['VG/LV', 'my-vg/root']);
    const isLv = (vg: string, lv: string) => lvs.has(`${vg}/${lv}`);
    expect(canonicalDeviceName('/dev/mapper/VG-LV', isLv)).toBe('/dev/VG/LV');
    expect(canonicalDeviceName('/dev/mapper/my--vg-root', isLv)).toBe('/dev/my-vg/root');
    expect(canonicalDeviceName('/dev/mapper/VG-LV')).toBe('/dev/mapper/VG-LV'); // no LVM layer
    expect(canonicalDeviceName('/dev/mapper/luks-1234', isLv)).toBe('/dev/mapper/luks-1234');
  });

  it('parses device-mapper names with doubled dashes', () => {
    expect(parseMapperName('VG-LV')).toEqual({ vg: 'VG', lv: 'LV' });
    expect(parseMapperName('my--vg-my--lv')).toEqual({ vg: 'my-vg', lv: 'my-lv' });
    expect(parseMapperName('rhel-root')).toEqual({ vg: 'rhel', lv: 'root' });
    expect(parseMapperName('nodash')).toBeUndefined();
    expect(parseMapperName('-lv')).toBeUndefined();
    expect(parseMapperName('vg-')).toBeUndefined();
  });
});

describe('device_index and device order', () => {
  it('device_index', () => {
    expect(deviceIndex('/dev/sda')).toBe(0);
    expect(deviceIndex('/dev/sdb', 2)).toBe(1);
    expect(deviceIndex('/dev/vdaa')).toBe(26);
    expect(errorKind(() => deviceIndex('/dev/sdc', 2))).toBe('EINVAL');
    expect(errorKind(() => deviceIndex('/dev/sda1'))).toBe('EINVAL');
  });

  it('sorts like sort_device_names: sdz before sdaa, partitions numerically', () => {
    const names = ['/dev/sdaa1', '/dev/sdb2', '/dev/sda10', '/dev/sdz', '/dev/sda2', '/dev/sda'];
    expect([...names].sort(compareDeviceNames)).toEqual([
      '/dev/sda',
      '/dev/sda2',
      '/dev/sda10',
      '/dev/sdb2',
      '/dev/sdz',
      '/dev/sdaa1',
    ]);
  });
});
