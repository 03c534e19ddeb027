// Actions that write host files (libguestfs FileOut arguments): tar_out, download, find0.
// Everything streams: a file's data goes to the host in READ_CHUNK slices, so memory
// stays bounded whatever the size of the files or the tree. `tarStream` is the same tar
// as a generator of chunks, for callers that pace the work themselves (the worker yields
// to its event loop between chunks).
// Reference: guestfs(3) guestfs_tar_out (libguestfs runs `tar -C DIR -cf - .`),
// guestfs_download, guestfs_find0; GNU tar manual "Excluding Some Files" (unanchored,
// wildcards match "/", a match on a leading directory excludes what is below it).

import { Gzip } from 'fflate';
import { EngineError, unsupported } from '../errors.js';
import type { Xattr } from '../fs/types.js';
import { READ_CHUNK, requireRegular } from './file-actions.js';
import type { HostOutput } from './environment.js';
import { fnmatch } from './glob.js';
import type { FsLayer } from './layer.js';
import { devMajorMinor } from './mounts.js';
import { type Location, pathError } from './paths.js';
import { type TarMember, type TarType, memberHeader, padding, trailer } from './tar.js';
import { streamFile } from './tree-actions.js';
import { walkTree } from './walk.js';

export interface TarOutOptions {
  compress?: string;
  numericowner?: boolean;
  excludes?: string[];
  xattrs?: boolean;
  selinux?: boolean;
  acls?: boolean;
}

const TAR_TYPES: Partial<Record<string, TarType>> = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  chardev: 'chardev',
  blockdev: 'blockdev',
  fifo: 'fifo',
};

/** GNU tar --exclude: unanchored (any "/"-suffix of the name), a leading directory counts. */
export function excluded(name: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const candidates = [name];
  for (let i = 0; i < name.length; i++)
    if (name[i] === '/' && name[i + 1] !== '/' && i + 1 < name.length)
      candidates.push(name.slice(i + 1));
  return patterns.some((p) =>
    candidates.some((c) => {
      if (fnmatch(p, c, { matchSlash: true })) return true;
      for (let i = c.indexOf('/'); i > 0; i = c.indexOf('/', i + 1))
        if (fnmatch(p, c.slice(0, i), { matchSlash: true })) return true;
      return false;
    }),
  );
}

function paxFor(xs: Xattr[], opts: TarOutOptions): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const x of xs) {
    if (x.name.startsWith('system.posix_acl_')) continue; // ACLs travel with acls only
    if (x.name === 'security.selinux') {
      if (opts.selinux) out.push(['RHT.security.selinux', x.value]);
      continue;
    }
    if (opts.xattrs) out.push([`SCHILY.xattr.${x.name}`, x.value]);
  }
  return out;
}

function member(layer: FsLayer, name: string, loc: Location, type: TarType, opts: TarOutOptions) {
  const st = loc.stat;
  const m: TarMember = {
    name,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: type === 'file' ? st.size : 0,
    mtime: st.mtimeSec,
  };
  if (type === 'symlink') m.linkname = layer.paths.readlink(loc, 'tar_out');
  if (type === 'chardev' || type === 'blockdev') [m.devmajor, m.devminor] = devMajorMinor(st.rdev);
  if ((opts.xattrs || opts.selinux) && loc.mount)
    m.pax = paxFor(loc.mount.fs.listxattrs(loc.fsPath), opts);
  return m;
}

/** The uncompressed tar of `directory` as a sequence of chunks (headers and data slices). */
export function* tarStream(
  layer: FsLayer,
  directory: string,
  opts: TarOutOptions = {},
): Generator<Uint8Array> {
  if (opts.acls) throw unsupported('tar_out acls', 'POSIX ACL records are not written yet');
  const root = layer.paths.resolve(directory, true, 'tar_out');
  if (root.stat.type !== 'directory') throw pathError('ENOTDIR', 'tar_out', directory);
  const excludes = opts.excludes ?? [];
  const links = new Map<string, string>();
  let written = 0;
  const emit = (b: Uint8Array) => {
    written += b.length;
    return b;
  };
  yield emit(memberHeader(member(layer, './', root, 'directory', opts)));
  const skipBelow: string[] = [];
  for (const { rel, loc } of walkTree(layer, root, 'tar_out')) {
    if (skipBelow.some((d) => rel.startsWith(`${d}/`))) continue;
    const type = TAR_TYPES[loc.stat.type];
    const name = `./${rel}${type === 'directory' ? '/' : ''}`;
    if (!type || excluded(`./${rel}`, excludes)) {
      if (loc.stat.type === 'directory') skipBelow.push(rel);
      continue; // sockets and unknown types are not archived (GNU tar: "socket ignored")
    }
    const key = `${loc.mount?.mountpoint}\0${loc.stat.ino}`;
    const first = type !== 'directory' && loc.stat.nlink > 1 ? links.get(key) : undefined;
    if (first !== undefined) {
      const m = member(layer, name, loc, 'hardlink', opts);
      yield emit(memberHeader({ ...m, linkname: first, size: 0 }));
      continue;
    }
    if (type !== 'directory' && loc.stat.nlink > 1) links.set(key, name);
    const m = member(layer, name, loc, type, opts);
    yield emit(memberHeader(m));
    if (type !== 'file') continue;
    yield* fileData(layer, loc, rel, m.size, emit);
  }
  yield emit(trailer(written));
}

function* fileData(
  layer: FsLayer,
  loc: Location,
  rel: string,
  size: number,
  emit: (b: Uint8Array) => Uint8Array,
): Generator<Uint8Array> {
  let off = 0;
  while (off < size) {
    const part = layer.paths.read(loc, off, Math.min(READ_CHUNK, size - off), 'tar_out', loc.path);
    if (part.length === 0) break;
    yield emit(part);
    off += part.length;
  }
  if (off !== size)
    throw new EngineError('io', `tar_out: ${rel}: read ${off} bytes of a ${size}-byte file`, {
      path: loc.path,
    });
  const pad = padding(size);
  if (pad) yield emit(new Uint8Array(pad));
}

function openOutput(layer: FsLayer, filename: string, action: string): HostOutput {
  const open = layer.env.openOutput?.bind(layer.env);
  if (!open)
    throw unsupported(`${action} to a host file`, 'this environment has no host files to write');
  return open(filename);
}

/** Small chunks (tar headers, names) are gathered up to this size before a host write. */
const WRITE_BATCH = 1 << 20;

/** Writes every chunk of `chunks` to the host file, closing it whatever happens. */
function pump(out: HostOutput, chunks: Iterable<Uint8Array>): void {
  const batch = new Uint8Array(WRITE_BATCH);
  let used = 0;
  const flush = () => {
    if (used > 0) out.write(batch.slice(0, used));
    used = 0;
  };
  try {
    for (const c of chunks) {
      if (c.length >= WRITE_BATCH / 4) {
        flush();
        out.write(c);
        continue;
      }
      if (used + c.length > WRITE_BATCH) flush();
      batch.set(c, used);
      used += c.length;
    }
    flush();
  } finally {
    out.close();
  }
}

function* gzipped(chunks: Iterable<Uint8Array>): Generator<Uint8Array> {
  const pending: Uint8Array[] = [];
  const gz = new Gzip({ level: 6 }, (data) => pending.push(data));
  for (const c of chunks) {
    gz.push(c);
    yield* pending.splice(0);
  }
  gz.push(new Uint8Array(0), true);
  yield* pending.splice(0);
}

export const EXPORT_ACTIONS = {
  tar_out(layer: FsLayer, directory: string, tarfile: string, opts: TarOutOptions = {}): void {
    const c = opts.compress;
    if (c !== undefined && c !== '' && c !== 'gzip')
      throw unsupported(`tar_out compress=${c}`, 'only gzip compression is available');
    // Check the directory before creating the host file, so a bad path leaves nothing behind.
    const root = layer.paths.resolve(directory, true, 'tar_out');
    if (root.stat.type !== 'directory') throw pathError('ENOTDIR', 'tar_out', directory);
    const stream = tarStream(layer, directory, opts);
    pump(openOutput(layer, tarfile, 'tar_out'), c === 'gzip' ? gzipped(stream) : stream);
  },

  /**
   * A file, or a whole device, to a host file. Like libguestfs' Dev_or_Path, a name under
   * /dev/ means a device (guest files under /dev are not reachable through this call).
   */
  download(layer: FsLayer, remotefilename: string, filename: string): void {
    if (remotefilename.startsWith('/dev/')) {
      const dev = layer.host.device(remotefilename, 'download');
      const out = openOutput(layer, filename, 'download');
      pump(out, deviceChunks(dev.source));
      return;
    }
    const loc = layer.paths.resolve(remotefilename, true, 'download');
    requireRegular(loc, 'download', remotefilename);
    const out = openOutput(layer, filename, 'download');
    try {
      streamFile(layer, loc, 'download', remotefilename, (c) => out.write(c));
    } finally {
      out.close();
    }
  },

  /** Every path below `directory`, each followed by a NUL, to a host file. */
  find0(layer: FsLayer, directory: string, files: string): void {
    const root = layer.paths.resolve(directory, true, 'find0');
    if (root.stat.type !== 'directory') throw pathError('ENOTDIR', 'find0', directory);
    const enc = new TextEncoder();
    const names = function* () {
      for (const e of walkTree(layer, root, 'find0')) yield enc.encode(`${e.rel}\0`);
    };
    pump(openOutput(layer, files, 'find0'), names());
  },
};

function* deviceChunks(src: { size: number; readAt(o: number, n: number): Uint8Array }) {
  for (let off = 0; off < src.size; off += READ_CHUNK)
    yield src.readAt(off, Math.min(READ_CHUNK, src.size - off));
}
