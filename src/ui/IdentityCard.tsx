// The OS-identity card: one per root that inspection found, right after the disk map —
// the guest's icon or a monogram, product, distro and version, architecture, hostname,
// package system, libosinfo id, where its filesystems mount, and (under the cards) the
// filesystems inspection could not read. Values are inspect_get_*'s; "unknown" shows as a
// dash. The packages pane below lists one root's applications.

import type { InspectedOs, InspectionView } from '../worker/inspection.js';
import { DistroMark, distroName } from './distro-mark.js';
import { OpenError } from './Notices.js';
import { PackagesPane } from './PackagesPane.js';
import { useInspection } from './inspect-queries.js';
import './inspect.css';

const shown = (v: string | number | undefined) => (v === undefined || v === 'unknown' ? '—' : v);

function Fact({ label, value, id }: { label: string; value: string | number; id: string }) {
  return (
    <div className="os-fact">
      <dt>{label}</dt>
      <dd data-testid={`os-${id}`}>{shown(value)}</dd>
    </div>
  );
}

export function IdentityCard({ inspected }: { inspected: InspectedOs }) {
  const { os, report, icon } = inspected;
  const title = os.product_name !== 'unknown' ? os.product_name : distroName(os.distro);
  const version =
    os.major_version || os.minor_version ? `${os.major_version}.${os.minor_version}` : 'unknown';
  return (
    <section
      className="panel os-card"
      data-testid="os-card"
      data-root={os.root}
      aria-label={`Operating system on ${os.root}`}
    >
      <header className="os-head">
        <DistroMark distro={os.distro} icon={icon} />
        <div>
          <h2 data-testid="os-title">{title}</h2>
          <p className="muted">
            {distroName(os.distro)} · {os.type} · root {os.root}
          </p>
        </div>
      </header>
      <dl className="os-facts">
        <Fact label="Distribution" value={os.distro} id="distro" />
        <Fact label="Version" value={version} id="version" />
        <Fact label="Architecture" value={os.arch} id="arch" />
        <Fact label="Hostname" value={os.hostname} id="hostname" />
        <Fact label="Packages" value={os.package_format} id="package-format" />
        <Fact label="Package manager" value={os.package_management} id="package-management" />
        <Fact label="osinfo" value={os.osinfo} id="osinfo" />
        {os.product_variant !== 'unknown' && (
          <Fact label="Variant" value={os.product_variant} id="variant" />
        )}
        {os.windows_systemroot && (
          <Fact label="System root" value={os.windows_systemroot} id="systemroot" />
        )}
      </dl>
      <h3 className="os-sub">Mountpoints</h3>
      <ul className="os-mounts" data-testid="os-mountpoints">
        {report.mountpoints.map((m) => (
          <li key={`${m.mountpoint}:${m.dev}`} data-mountpoint={m.mountpoint} data-device={m.dev}>
            <code>{m.mountpoint}</code> ← {m.dev}
            {typeFor(inspected, m.dev)}
          </li>
        ))}
      </ul>
      {report.drive_mappings && (
        <ul className="os-mounts" data-testid="os-drives">
          {report.drive_mappings.map((d) => (
            <li key={d.name}>
              <code>{d.name}:</code> ← {d.dev}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function typeFor(inspected: InspectedOs, dev: string): string {
  const f = inspected.report.filesystems.find((x) => x.dev === dev);
  return f?.type ? ` (${f.type}${f.label ? ` “${f.label}”` : ''})` : '';
}

function Notes({ view }: { view: InspectionView }) {
  if (view.notes.length === 0) return null;
  return (
    <div className="panel warning-panel" data-testid="inspect-notes">
      <h3>Not inspected</h3>
      <ul>
        {view.notes.map((n) => (
          <li key={n.device} data-device={n.device} data-kind={n.kind}>
            {n.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The identity cards of a session's roots and what could not be inspected. */
export function IdentityCards({ session }: { session: number }) {
  const q = useInspection(session);
  if (q.isPending)
    return (
      <p role="status" className="status" data-testid="inspecting">
        Looking for operating systems…
      </p>
    );
  if (q.error) return <OpenError error={q.error} />;
  const view = q.data;
  return (
    <div className="inspection" data-testid="inspection" data-millis={Math.round(view.millis)}>
      {view.roots.length === 0 && (
        <p className="panel muted" data-testid="no-os">
          No operating system found on this image.
        </p>
      )}
      {view.roots.map((r) => (
        <IdentityCard key={r.os.root} inspected={r} />
      ))}
      <Notes view={view} />
    </div>
  );
}

/** The packages pane of a session (one root at a time), once inspection found a root. */
export function InstalledPackages({ session }: { session: number }) {
  const q = useInspection(session);
  if (!q.data || q.data.roots.length === 0) return null;
  return <PackagesPane session={session} roots={q.data.roots} />;
}
