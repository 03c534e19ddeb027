// The directory tree beside the listing: only directories, each expanded on demand (its
// subdirectories come from the worker's cached listing), the ancestors of the current
// directory expanded so the current one is always visible.

import { useEffect, useState } from 'react';
import { InlineError } from './InlineError.js';
import { useSubdirs } from './fs-queries.js';
import { ancestors, childPath, navigate } from './location.js';

/** Children drawn under one node: a directory of 100,000 subdirectories is for the
 * listing, not the tree. */
export const TREE_MAX_CHILDREN = 1000;

interface TreeProps {
  session: number;
  device: string;
  /** The directory shown in the listing. */
  current: string;
  rootLabel: string;
}

interface NodeProps extends Omit<TreeProps, 'rootLabel'> {
  path: string;
  name: string;
  open: Set<string>;
  toggle(path: string): void;
}

function TreeNode(p: NodeProps) {
  const expanded = p.open.has(p.path);
  const kids = useSubdirs(p.session, p.device, p.path, expanded);
  const names = kids.data ?? [];
  // Known to have no subdirectories: nothing to expand.
  const leaf = kids.data !== undefined && names.length === 0;
  return (
    <li
      role="treeitem"
      aria-expanded={leaf ? undefined : expanded}
      aria-selected={p.path === p.current}
      className="tree-item"
    >
      <span className="tree-row">
        <button
          type="button"
          className="twisty"
          aria-label={`${expanded ? 'Collapse' : 'Expand'} ${p.name}`}
          disabled={leaf}
          onClick={() => p.toggle(p.path)}
        >
          {leaf ? '' : expanded ? '▾' : '▸'}
        </button>
        <button
          type="button"
          className={`tree-label${p.path === p.current ? ' current' : ''}`}
          data-testid="tree-node"
          data-path={p.path}
          onClick={() => navigate({ device: p.device, path: p.path })}
        >
          {p.name}
        </button>
      </span>
      {expanded && kids.error && <InlineError error={kids.error} />}
      {expanded && kids.isPending && <span className="muted tree-loading">…</span>}
      {expanded && names.length > 0 && (
        <ul role="group">
          {names.slice(0, TREE_MAX_CHILDREN).map((n) => (
            <TreeNode key={n} {...p} path={childPath(p.path, n)} name={n} />
          ))}
          {names.length > TREE_MAX_CHILDREN && (
            <li className="muted tree-more">
              … {names.length - TREE_MAX_CHILDREN} more: open {p.name} to see them all
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

export function DirTree({ session, device, current, rootLabel }: TreeProps) {
  const [open, setOpen] = useState<Set<string>>(() => new Set(ancestors(current)));
  useEffect(() => {
    setOpen((s) => {
      const missing = ancestors(current).filter((a) => !s.has(a));
      return missing.length === 0 ? s : new Set([...s, ...missing]);
    });
  }, [current]);
  const toggle = (path: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  return (
    <nav className="fs-tree" aria-label={`Folders of ${device}`} data-testid="fs-tree">
      <ul role="tree">
        <TreeNode
          session={session}
          device={device}
          current={current}
          path="/"
          name={rootLabel}
          open={open}
          toggle={toggle}
        />
      </ul>
    </nav>
  );
}
