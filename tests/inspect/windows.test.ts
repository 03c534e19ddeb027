// The Windows detector against what build-windows.sh wrote: registry inputs (product name,
// variant, version, build, hostname, control set), `file -b` of cmd.exe for the arch, the
// MBR signature / partition offsets (sfdisk --json) and GPT partition GUID for the drive
// mappings, and libguestfs' osinfo table. Run on the system trees as plain directories and
// on the qcow2 disks through the formats → partitions → NTFS stack.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { FileSystem } from '../../src/engine/fs/types.js';
import { slice } from '../../src/engine/io/block-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import {
  WindowsDetector,
  type WindowsDiskResolver,
} from '../../src/engine/inspect/windows/detector.js';
import { windowsOsinfo } from '../../src/engine/inspect/windows/osinfo.js';
import { peArchitecture } from '../../src/engine/inspect/windows/pe-arch.js';
import type { OsRoot } from '../../src/engine/inspect/types.js';
import { openPartitionTable } from '../../src/engine/partitions/registry.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { DirFileSystem } from '../regf/dir-fs.js';

const dir = ensureFixture('windows');
interface Variant {
  cv: [string, string | number][];
  select: number;
  hostname: string | null;
  computername: string;
  control_set: string;
  drive_mappings: [string, string][];
  arch: string;
}
const facts = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'windows.json'), 'utf8')) as {
  variants: Record<string, Variant>;
  disk: { mbr_signature: number; mbr_partition_offsets: number[]; gpt_partition_guid: string };
};

/** Devices as libguestfs names them: disk-mbr is /dev/sda, disk-gpt /dev/sdb. */
const disks: WindowsDiskResolver = {
  mbrPartition: (sig, offset) => {
    const i = facts.disk.mbr_partition_offsets.indexOf(offset);
    return sig === facts.disk.mbr_signature && i >= 0 ? `/dev/sda${i + 1}` : undefined;
  },
  gptPartition: (guid) => (guid === facts.disk.gpt_partition_guid ? '/dev/sdb1' : undefined),
};

/** libguestfs' osinfo for each variant's inputs (lib/inspect-osinfo.c). */
const OSINFO: Record<string, string> = {
  win10: 'win10',
  win2019: 'win2k19',
  win11: 'win11',
  win7: 'win7',
};

function expectedRoot(name: string, device: string): Partial<OsRoot> {
  const v = facts.variants[name]!;
  const cv = Object.fromEntries(v.cv);
  const version =
    'CurrentMajorVersionNumber' in cv
      ? [cv.CurrentMajorVersionNumber, cv.CurrentMinorVersionNumber]
      : String(cv.CurrentVersion).split('.').map(Number);
  return {
    type: 'windows',
    distro: 'windows',
    product_name: cv.ProductName as string,
    product_variant: cv.InstallationType as string,
    major_version: version[0] as number,
    minor_version: version[1] as number,
    build_id: cv.CurrentBuildNumber as string,
    arch: v.arch,
    // libguestfs reads only Tcpip\Parameters\Hostname; without it there is no hostname.
    ...(v.hostname ? { hostname: v.hostname } : {}),
    osinfo: OSINFO[name]!,
    windows_systemroot: '/Windows',
    windows_software_hive: '/Windows/System32/config/SOFTWARE',
    windows_system_hive: '/Windows/System32/config/SYSTEM',
    windows_current_control_set: v.control_set,
    drive_mappings: v.drive_mappings,
    mountpoints: [['/', device]],
  };
}

function detect(fsys: FileSystem, device: string) {
  return new WindowsDetector(disks).detect({ device, type: 'ntfs', fs: fsys });
}

describe('Windows detector on the system trees', () => {
  for (const name of Object.keys(facts.variants)) {
    it(`${name}: identity from the hives, arch from cmd.exe, drive letters`, () => {
      const got = detect(new DirFileSystem(path.join(dir, 'trees', name)), '/dev/sdz1');
      expect(got?.role).toBe('root');
      expect(got!.os).toMatchObject(expectedRoot(name, '/dev/sdz1'));
      expect(got!.os!.hostname).toBe(facts.variants[name]!.hostname ?? undefined);
    });
  }

  it('finds the system root case-insensitively and through boot.ini', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-win-'));
    try {
      fs.cpSync(path.join(dir, 'trees', 'win7', 'Windows'), path.join(tmp, 'NT40'), {
        recursive: true,
      });
      fs.renameSync(path.join(tmp, 'NT40', 'System32'), path.join(tmp, 'NT40', 'SYSTEM32'));
      const fsys = new DirFileSystem(tmp);
      expect(detect(fsys, '/dev/sdz1')).toBeUndefined();
      fs.writeFileSync(
        path.join(tmp, 'BOOT.INI'),
        '[boot loader]\r\ntimeout=30\r\n[operating systems]\r\nmulti(0)disk(0)rdisk(0)partition(1)\\NT40="Windows NT"\r\n',
      );
      const got = detect(fsys, '/dev/sdz1')!;
      expect(got.os!.windows_systemroot).toBe('/NT40');
      expect(got.os!.windows_software_hive).toBe('/NT40/SYSTEM32/config/SOFTWARE');
      expect(got.os!.product_name).toBe('Windows 7 Ultimate');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a data disk with Program Files, or a Windows folder without cmd.exe, is no root', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-win-'));
    try {
      fs.mkdirSync(path.join(tmp, 'Program Files'));
      fs.mkdirSync(path.join(tmp, 'windows', 'system32', 'config'), { recursive: true });
      expect(detect(new DirFileSystem(tmp), '/dev/sdz1')).toBeUndefined();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('Windows detector through qcow2 → MBR/GPT → NTFS', () => {
  const opened: { close(): void }[] = [];
  beforeAll(() => ntfsDriver.load());
  afterAll(() => opened.forEach((o) => o.close()));

  function partitions(file: string) {
    const { image, resolver } = openNodeImage(path.join(dir, file));
    opened.push(resolver);
    const table = openPartitionTable(image)!;
    return table.partitions.map((p) =>
      ntfsDriver.mount(slice(image, p.start, p.size), { readonly: true }),
    );
  }

  it('disk-mbr: win10 on sda1 and Server 2019 on sda2', () => {
    const [p1, p2] = partitions('disk-mbr.qcow2');
    expect(detect(p1!, '/dev/sda1')!.os).toMatchObject(expectedRoot('win10', '/dev/sda1'));
    expect(detect(p2!, '/dev/sda2')!.os).toMatchObject(expectedRoot('win2019', '/dev/sda2'));
  });

  it('disk-gpt: Windows 11 with its C: found by GPT partition GUID', () => {
    const [p1] = partitions('disk-gpt.qcow2');
    expect(detect(p1!, '/dev/sdb1')!.os).toMatchObject(expectedRoot('win11', '/dev/sdb1'));
  });
});

describe('libguestfs osinfo table (lib/inspect-osinfo.c)', () => {
  const id = (
    major: number,
    minor: number,
    product_name: string,
    product_variant: string,
    build_id = '0',
  ) =>
    windowsOsinfo({
      major_version: major,
      minor_version: minor,
      product_name,
      product_variant,
      build_id,
    });
  it('maps versions, variants and names', () => {
    expect(id(5, 1, 'Microsoft Windows XP', 'unknown')).toBe('winxp');
    expect(id(5, 2, 'Windows Server 2003 R2', 'unknown')).toBe('win2k3r2');
    expect(id(5, 2, 'Windows Server 2003', 'unknown')).toBe('win2k3');
    expect(id(6, 0, 'Windows Server 2008', 'Server')).toBe('win2k8');
    expect(id(6, 0, 'Windows Vista', 'Client')).toBe('winvista');
    expect(id(6, 1, 'Windows Server 2008 R2', 'Server Core')).toBe('win2k8r2');
    expect(id(6, 2, 'Windows 8', 'Client')).toBe('win8');
    expect(id(6, 2, 'Windows Server 2012', 'Server')).toBe('win2k12');
    expect(id(6, 3, 'Windows 8.1', 'Client')).toBe('win8.1');
    expect(id(6, 3, 'Windows Server 2012 R2', 'Server')).toBe('win2k12r2');
    expect(id(10, 0, 'Windows Server 2016 Standard', 'Server')).toBe('win2k16');
    expect(id(10, 0, 'Windows Server 2022 Datacenter', 'Server')).toBe('win2k22');
    expect(id(10, 0, 'Windows Server 2025 Datacenter', 'Server')).toBe('win2k25');
    expect(id(10, 0, 'Windows 10 Pro', 'Client', '21999')).toBe('win10');
    expect(id(10, 0, 'Windows 10 Pro', 'Client', '22000')).toBe('win11');
    expect(id(10, 0, 'Windows 10 Pro', 'Client', 'unknown')).toBe('unknown');
    expect(id(4, 0, 'Windows NT', 'unknown')).toBe('unknown');
  });
});

describe('PE machine → arch (PE Format, "Machine Types")', () => {
  function pe(machine: number, magic: number): Uint8Array {
    const b = new Uint8Array(512);
    const dv = new DataView(b.buffer);
    b.set([0x4d, 0x5a]);
    dv.setUint32(0x3c, 0x80, true);
    b.set([0x50, 0x45, 0, 0], 0x80);
    dv.setUint16(0x84, machine, true);
    dv.setUint16(0x98, magic, true);
    return b;
  }
  it('reads the machine field, falling back to the optional header magic', () => {
    expect(peArchitecture(pe(0x8664, 0x20b))).toBe('x86_64');
    expect(peArchitecture(pe(0x14c, 0x10b))).toBe('i386');
    expect(peArchitecture(pe(0xaa64, 0x20b))).toBe('aarch64');
    expect(peArchitecture(pe(0x9999, 0x20b))).toBe('x86_64');
    expect(peArchitecture(pe(0x9999, 0x10b))).toBe('i386');
    expect(peArchitecture(new Uint8Array(512))).toBeUndefined();
  });
});
