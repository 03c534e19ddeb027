// What the SYSTEM hive says: the current control set (Select\Current → "ControlSet001"),
// the hostname (ControlSetNNN\Services\Tcpip\Parameters\Hostname, the one place libguestfs
// reads it: a system without TCP/IP parameters has no hostname for virt-inspector either,
// though its NetBIOS ComputerName exists — we match libguestfs, not guess) and the drive
// letters of MountedDevices.
// Reference: libguestfs daemon/inspect_fs_windows.ml (check_windows_system_registry,
// get_current_control_set, get_hostname, get_drive_mappings).

import type { Hive } from '../../regf/hive.js';
import { mapDriveLetters, type WindowsDiskResolver } from './drive-mappings.js';
import { dwordValue, stringValue } from './registry-values.js';

export interface SystemFacts {
  windows_current_control_set?: string;
  hostname?: string;
  drive_mappings: [string, string][];
}

export function currentControlSet(hive: Hive): string | undefined {
  const select = hive.lookup(['Select']);
  const current = select && dwordValue(hive, select, 'Current');
  if (current === undefined) return undefined;
  return `ControlSet${String(current).padStart(3, '0')}`;
}

export function hostname(hive: Hive, controlSet: string): string | undefined {
  const tcpip = hive.lookup([controlSet, 'Services', 'Tcpip', 'Parameters']);
  return tcpip && stringValue(hive, tcpip, 'Hostname');
}

export function readSystemHive(hive: Hive, disks: WindowsDiskResolver): SystemFacts {
  const out: SystemFacts = { drive_mappings: mapDriveLetters(hive, disks) };
  const cs = currentControlSet(hive);
  if (cs === undefined) return out;
  out.windows_current_control_set = cs;
  const name = hostname(hive, cs);
  if (name !== undefined) out.hostname = name;
  return out;
}
