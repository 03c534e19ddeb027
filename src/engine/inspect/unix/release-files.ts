// Linux distribution identity from release files, as libguestfs reads them: a list of
// (file, parser) tests tried in order; a test runs only if its file exists (symlinks
// followed), and the first parser that returns true ends the search. Parsers fill the
// inspection data as they go, so a parser that gives up can leave fields behind for the
// next one — libguestfs relies on this (Debian's os-release names the product, then
// /etc/debian_version supplies the full version and replaces the name), and this module
// reproduces it rather than "fixing" it, so that the answers match libguestfs'.
// Reference: libguestfs daemon/inspect_fs_unix.ml (parse_os_release, parse_lsb_release,
// parse_suse_release, parse_generic, linux_root_tests, hurd_root_tests, check_tests).

import type { FsView } from '../fs-view.js';
import type { OsRoot } from '../types.js';
import {
  hasVersion,
  parseKeyValueStrings,
  parseVersionFromMajorMinor,
  setVersion,
  shellUnquote,
  simpleUnquote,
} from '../text.js';

export type Data = Partial<OsRoot>;
export type Parser = (view: FsView, file: string, d: Data) => boolean;
export type ReleaseTest = readonly [file: string, parse: Parser];

/** os-release ID → libguestfs distro (distro_of_os_release_id); unknown IDs give nothing. */
const OS_RELEASE_IDS: Record<string, string> = {
  alpine: 'alpinelinux',
  altlinux: 'altlinux',
  arch: 'archlinux',
  centos: 'centos',
  coreos: 'coreos',
  debian: 'debian',
  fedora: 'fedora',
  frugalware: 'frugalware',
  gentoo: 'gentoo',
  kali: 'kalilinux',
  kylin: 'kylin',
  mageia: 'mageia',
  neokylin: 'neokylin',
  openmandriva: 'openmandriva',
  opensuse: 'opensuse',
  pardus: 'pardus',
  pld: 'pldlinux',
  rhel: 'rhel',
  rocky: 'rocky',
  sles: 'sles',
  sled: 'sles',
  ubuntu: 'ubuntu',
  void: 'voidlinux',
};

export function distroOfOsReleaseId(id: string): string | undefined {
  if (Object.hasOwn(OS_RELEASE_IDS, id)) return OS_RELEASE_IDS[id];
  return id.startsWith('opensuse-') ? 'opensuse' : undefined;
}

/** lsb-release DISTRIB_ID → distro (distro_of_lsb_release_distrib_id). */
const LSB_IDS: Record<string, string> = {
  CoreOS: 'coreos',
  LinuxMint: 'linuxmint',
  Mageia: 'mageia',
  Ubuntu: 'ubuntu',
};

/** Distros without version numbers: an os-release without VERSION_ID is complete. */
const ROLLING = new Set(['archlinux', 'gentoo', 'voidlinux']);
/** os-release gives only the major version on these; the release file has the minor. */
const MAJOR_ONLY_OS_RELEASE = new Set(['debian', 'centos', 'rocky']);

export const parseOsRelease: Parser = (view, file, d) => {
  const lines = view.readSmallLines(file);
  if (!lines) return false;
  for (const [key, value] of parseKeyValueStrings(lines, shellUnquote)) {
    if (key === 'ID') {
      const distro = distroOfOsReleaseId(value);
      if (distro) d.distro = distro;
    } else if (key === 'PRETTY_NAME') d.product_name = value;
    else if (key === 'VERSION_ID') parseOsReleaseVersionId(value, d);
    else if (key === 'BUILD_ID') d.build_id = value;
  }
  if (d.distro === undefined || d.product_name === undefined) return false;
  if (MAJOR_ONLY_OS_RELEASE.has(d.distro) && hasVersion(d) && d.minor_version === 0) return false;
  if (!hasVersion(d)) {
    if (!ROLLING.has(d.distro)) return false;
    setVersion(d, 0, 0);
  }
  return true;
};

/** NeoKylin writes VERSION_ID as "V7Update6" (RHBZ#1476081). */
function parseOsReleaseVersionId(value: string, d: Data): void {
  const m = /^V(\d+)Update(\d+)$/.exec(value);
  if (m) setVersion(d, Number.parseInt(m[1]!, 10), Number.parseInt(m[2]!, 10));
  else parseVersionFromMajorMinor(value, d);
}

/** A bare lsb-release with only LSB_VERSION (RHEL 3) identifies nothing: false. */
export const parseLsbRelease: Parser = (view, file, d) => {
  const lines = view.readSmallLines(file);
  if (!lines) return false;
  let ok = false;
  for (const [key, value] of parseKeyValueStrings(lines, simpleUnquote)) {
    if (key === 'DISTRIB_ID') {
      const distro = Object.hasOwn(LSB_IDS, value) ? LSB_IDS[value] : undefined;
      if (distro) {
        ok = true;
        d.distro = distro;
      }
    } else if (key === 'DISTRIB_RELEASE') parseVersionFromMajorMinor(value, d);
    else if (key === 'DISTRIB_DESCRIPTION') {
      ok = true;
      d.product_name = value;
    }
  }
  return ok;
};

const RE_SLES = /^SUSE (Linux|LINUX) Enterprise /;
const RE_NLD = /^Novell Linux Desktop /;
const RE_OPENSUSE = /^(openSUSE|SuSE Linux|SUSE LINUX) /;

/** /etc/SuSE-release: name on line 1, "VERSION = N" and "PATCHLEVEL = M" after it. */
export const parseSuseRelease: Parser = (view, file, d) => {
  const lines = view.readSmallLines(file);
  if (!lines || lines.length === 0) return false;
  const name = lines[0]!;
  d.product_name = name;
  if (RE_SLES.test(name) || RE_NLD.test(name)) {
    const major = /^VERSION = (\d+)/.exec(lines[1] ?? '');
    const minor = /^PATCHLEVEL = (\d+)/.exec(lines[2] ?? '');
    d.distro = 'sles';
    if (major) setVersion(d, Number(major[1]), minor ? Number(minor[1]) : 0);
    else {
      delete d.major_version;
      delete d.minor_version;
    }
  } else if (RE_OPENSUSE.test(name)) {
    if (lines.length >= 2) parseVersionFromMajorMinor(lines[1]!, d);
    d.distro = 'opensuse';
  }
  return true;
};

/**
 * parse_generic: the first line is the product name and the distro is fixed. With `rex`,
 * the line must match (groups 1 and 2 are major and minor); without, a version is taken
 * from the line if there is one. Name and distro are set even when `rex` fails.
 */
export function parseGeneric(distro: string, rex?: RegExp): Parser {
  return (view, file, d) => {
    const name = view.firstLine(file);
    if (name === '') return false;
    d.product_name = name;
    d.distro = distro;
    if (!rex) {
      parseVersionFromMajorMinor(name, d);
      return true;
    }
    const m = rex.exec(name);
    if (!m) return false;
    const major = m[1] !== undefined && /^\d+$/.test(m[1]) ? Number(m[1]) : undefined;
    const minor = m[2] !== undefined && /^\d+$/.test(m[2]) ? Number(m[2]) : undefined;
    if (major !== undefined) setVersion(d, major, minor ?? 0);
    return true;
  };
}

/** A test that only names the distro (arch-release is empty; a bare redhat-release). */
function fixed(distro: string): Parser {
  return (_view, _file, d) => {
    d.distro = distro;
    return true;
  };
}

// libguestfs' PCRE expressions, unanchored unless they say "^".
const RE = {
  fedora: /Fedora release (\d+)/,
  rhelOld: /Red Hat.*release (\d+).*Update (\d+)/,
  rhel: /Red Hat.*release (\d+)\.(\d+)/,
  rhelNoMinor: /Red Hat.*release (\d+)/,
  centosOld: /CentOS.*release (\d+).*Update (\d+)/,
  centos: /CentOS.*release (\d+)\.(\d+)/,
  centosNoMinor: /CentOS.*release (\d+)/,
  rocky: /Rocky Linux.*release (\d+)\.(\d+)/,
  rockyNoMinor: /Rocky Linux.*release (\d+)/,
  slOld: /Scientific Linux.*release (\d+).*Update (\d+)/,
  sl: /Scientific Linux.*release (\d+)\.(\d+)/,
  slNoMinor: /Scientific Linux.*release (\d+)/,
  oracleOld: /Oracle Linux.*release (\d+).*Update (\d+)/,
  oracle: /Oracle Linux.*release (\d+)\.(\d+)/,
  oracleNoMinor: /Oracle Linux.*release (\d+)/,
  openmandriva: /OpenMandriva.*release (\d+)\.(\d+)\.?(\d+)? .*/,
  frugalware: /Frugalware (\d+)\.(\d+)/,
  pld: /(\d+)\.(\d+) PLD Linux/,
};

const RH = '/etc/redhat-release';

/** linux_root_tests, in libguestfs' order. */
export const LINUX_ROOT_TESTS: readonly ReleaseTest[] = [
  ['/etc/os-release', parseOsRelease],
  ['/etc/lsb-release', parseLsbRelease],
  ['/etc/openmandriva-release', parseGeneric('openmandriva', RE.openmandriva)],
  ['/etc/oracle-release', parseGeneric('oraclelinux', RE.oracleOld)],
  ['/etc/oracle-release', parseGeneric('oraclelinux', RE.oracle)],
  ['/etc/oracle-release', parseGeneric('oraclelinux', RE.oracleNoMinor)],
  ['/etc/centos-release', parseGeneric('centos', RE.centosOld)],
  ['/etc/centos-release', parseGeneric('centos', RE.centos)],
  ['/etc/centos-release', parseGeneric('centos', RE.centosNoMinor)],
  ['/etc/rocky-release', parseGeneric('rocky', RE.rocky)],
  ['/etc/rocky-release', parseGeneric('rocky', RE.rockyNoMinor)],
  ['/etc/altlinux-release', parseGeneric('altlinux')],
  [RH, parseGeneric('fedora', RE.fedora)],
  [RH, parseGeneric('rhel', RE.rhelOld)],
  [RH, parseGeneric('rhel', RE.rhel)],
  [RH, parseGeneric('rhel', RE.rhelNoMinor)],
  [RH, parseGeneric('centos', RE.centosOld)],
  [RH, parseGeneric('centos', RE.centos)],
  [RH, parseGeneric('centos', RE.centosNoMinor)],
  [RH, parseGeneric('rocky', RE.rocky)],
  [RH, parseGeneric('rocky', RE.rockyNoMinor)],
  [RH, parseGeneric('scientificlinux', RE.slOld)],
  [RH, parseGeneric('scientificlinux', RE.sl)],
  [RH, parseGeneric('scientificlinux', RE.slNoMinor)],
  // An /etc/redhat-release that none of the above recognise: a Red Hat derivative.
  [RH, parseGeneric('redhat-based')],
  [RH, fixed('redhat-based')],
  ['/etc/debian_version', parseGeneric('debian')],
  ['/etc/pardus-release', parseGeneric('pardus')],
  // /etc/arch-release is empty: it names the distro and nothing else.
  ['/etc/arch-release', fixed('archlinux')],
  ['/etc/gentoo-release', parseGeneric('gentoo')],
  ['/etc/meego-release', parseGeneric('meego')],
  ['/etc/slackware-version', parseGeneric('slackware')],
  ['/etc/ttylinux-target', parseGeneric('ttylinux')],
  ['/etc/SuSE-release', parseSuseRelease],
  ['/etc/SuSE-release', fixed('suse-based')],
  ['/etc/cirros/version', parseGeneric('cirros')],
  [
    '/etc/br-version',
    (view, file, d) =>
      parseGeneric(view.isFile('/usr/share/cirros/logo', true) ? 'cirros' : 'buildroot')(
        view,
        file,
        d,
      ),
  ],
  ['/etc/alpine-release', parseGeneric('alpinelinux')],
  ['/etc/frugalware-release', parseGeneric('frugalware', RE.frugalware)],
  ['/etc/pld-release', parseGeneric('pldlinux', RE.pld)],
];

/** hurd_root_tests. */
export const HURD_ROOT_TESTS: readonly ReleaseTest[] = [
  ['/etc/os-release', parseOsRelease],
  ['/etc/debian_version', parseGeneric('debian')],
];

/** check_tests: the first test whose file exists and whose parser says true wins. */
export function runReleaseTests(view: FsView, tests: readonly ReleaseTest[], d: Data): void {
  for (const [file, parse] of tests) {
    if (view.isFile(file, true) && parse(view, file, d)) return;
  }
}
