// A small mark per OS for the identity card: the guest's own icon when inspection found one
// (a PNG, shown through a Blob URL), else an inline SVG monogram in the distribution's
// colour. Monograms are drawn here, not copied logos: trademarks stay with their owners.

import { useEffect, useState } from 'react';

interface Mark {
  name: string;
  letters: string;
  colour: string;
}

const MARKS: Record<string, Mark> = {
  debian: { name: 'Debian', letters: 'D', colour: '#a80030' },
  ubuntu: { name: 'Ubuntu', letters: 'U', colour: '#e95420' },
  linuxmint: { name: 'Linux Mint', letters: 'LM', colour: '#69a33f' },
  kalilinux: { name: 'Kali Linux', letters: 'K', colour: '#367bf0' },
  fedora: { name: 'Fedora', letters: 'F', colour: '#3c6eb4' },
  rhel: { name: 'Red Hat Enterprise Linux', letters: 'RH', colour: '#cc0000' },
  'redhat-based': { name: 'Red Hat–based', letters: 'RH', colour: '#8c1c1c' },
  centos: { name: 'CentOS', letters: 'C', colour: '#932279' },
  rocky: { name: 'Rocky Linux', letters: 'R', colour: '#10b981' },
  oraclelinux: { name: 'Oracle Linux', letters: 'OL', colour: '#c74634' },
  scientificlinux: { name: 'Scientific Linux', letters: 'SL', colour: '#3465a4' },
  opensuse: { name: 'openSUSE', letters: 'oS', colour: '#73ba25' },
  sles: { name: 'SUSE Linux Enterprise', letters: 'S', colour: '#30ba78' },
  'suse-based': { name: 'SUSE-based', letters: 'S', colour: '#30ba78' },
  alpinelinux: { name: 'Alpine Linux', letters: 'A', colour: '#0d597f' },
  archlinux: { name: 'Arch Linux', letters: 'A', colour: '#1793d1' },
  gentoo: { name: 'Gentoo', letters: 'G', colour: '#54487a' },
  voidlinux: { name: 'Void Linux', letters: 'V', colour: '#478061' },
  coreos: { name: 'CoreOS', letters: 'Co', colour: '#53a3da' },
  mageia: { name: 'Mageia', letters: 'M', colour: '#2397d4' },
  altlinux: { name: 'ALT Linux', letters: 'AL', colour: '#f5c400' },
  windows: { name: 'Windows', letters: 'W', colour: '#0078d4' },
  freebsd: { name: 'FreeBSD', letters: 'FB', colour: '#ab2b28' },
  netbsd: { name: 'NetBSD', letters: 'N', colour: '#f26711' },
  openbsd: { name: 'OpenBSD', letters: 'OB', colour: '#f2ca30' },
  freedos: { name: 'FreeDOS', letters: 'FD', colour: '#1a5fb4' },
  msdos: { name: 'MS-DOS', letters: 'DOS', colour: '#333333' },
};

const OTHER: Mark = { name: 'Unknown', letters: '?', colour: '#6b7280' };

export function distroName(distro: string): string {
  return MARKS[distro]?.name ?? distro;
}

function Monogram({ distro, size }: { distro: string; size: number }) {
  const m = MARKS[distro] ?? OTHER;
  const font = m.letters.length > 2 ? 11 : m.letters.length > 1 ? 15 : 20;
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 40 40"
      role="img"
      aria-label={`${m.name} monogram`}
      data-testid="distro-monogram"
    >
      <circle cx="20" cy="20" r="19" fill={m.colour} />
      <text
        x="20"
        y="20"
        textAnchor="middle"
        dominantBaseline="central"
        fontSize={font}
        fontWeight="700"
        fill="#fff"
        fontFamily="system-ui, sans-serif"
      >
        {m.letters}
      </text>
    </svg>
  );
}

/** The guest's icon if it has one, else the monogram. */
export function DistroMark({
  distro,
  icon,
  size = 48,
}: {
  distro: string;
  icon?: Uint8Array;
  size?: number;
}) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!icon?.length) return undefined;
    const u = URL.createObjectURL(new Blob([icon.slice()], { type: 'image/png' }));
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(undefined);
    };
  }, [icon]);
  if (url)
    return (
      <img
        src={url}
        width={size}
        height={size}
        alt={`${distroName(distro)} icon from the guest`}
        className="os-icon"
        data-testid="os-icon"
      />
    );
  return <Monogram distro={distro} size={size} />;
}
