// Encrypted volumes in the device tables: a LUKS container shows a lock badge and an
// "Unlock…" button that opens a small form (passphrase, progress of the key derivation,
// the error inline). The passphrase lives only in this form's state until it is sent to
// the worker, and is dropped as soon as the call returns; it never reaches a query key,
// the mutation cache, the URL, storage or a log. BitLocker is named but not unlocked yet.
// Reference: DESIGN.md "Worker API"; cryptsetup(8) open --readonly.

import { useQueryClient } from '@tanstack/react-query';
import { proxy } from 'comlink';
import { type FormEvent, createContext, useContext, useId, useState } from 'react';
import type { DeviceSummary, Inventory } from '../engine/guestfs/inventory.js';
import type { UnlockProgress } from '../engine/volumes/luks/index.js';
import { InlineError } from './fs/InlineError.js';
import { fsKeys } from './fs/fs-queries.js';
import { sessionKeys } from './queries.js';
import { callEngine } from './worker-client.js';

/** The image session the tables belong to (the unlock call names it). */
export const SessionContext = createContext<number | undefined>(undefined);

/** The open mapping of a container, if it has been unlocked. */
function openedFrom(inv: Inventory, d: DeviceSummary): DeviceSummary | undefined {
  return inv.devices.find((v) => v.kind === 'luks' && v.members?.includes(d.name));
}

interface UnlockState {
  busy: boolean;
  /** 0..1 of the key derivation of the keyslot being tried. */
  progress?: UnlockProgress;
  error?: unknown;
}

/** Runs the worker's unlock and puts the inventory it returns in place of the old one. */
function useUnlock(session: number | undefined, device: string) {
  const qc = useQueryClient();
  const [state, setState] = useState<UnlockState>({ busy: false });
  const run = async (passphrase: string): Promise<boolean> => {
    if (session === undefined) return false;
    setState({ busy: true });
    const onProgress = proxy((p: UnlockProgress) => setState((s) => ({ ...s, progress: p })));
    try {
      const inv = await callEngine((api) => api.unlock(session, device, passphrase, onProgress));
      qc.setQueryData(sessionKeys.inventory(session), inv);
      await qc.invalidateQueries({ queryKey: fsKeys.filesystems(session) });
      setState({ busy: false });
      return true;
    } catch (error) {
      setState({ busy: false, error });
      return false;
    }
  };
  return { state, run };
}

function UnlockForm({ device, onDone }: { device: string; onDone: () => void }) {
  const session = useContext(SessionContext);
  const { state, run } = useUnlock(session, device);
  const [passphrase, setPassphrase] = useState('');
  const inputId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(passphrase);
    setPassphrase('');
    if (ok) onDone();
  };
  return (
    <form className="unlock-form" data-testid="unlock-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={inputId}>Passphrase for {device}</label>
      <input
        id={inputId}
        type="password"
        autoComplete="off"
        data-testid="unlock-passphrase"
        value={passphrase}
        disabled={state.busy}
        onChange={(e) => setPassphrase(e.target.value)}
      />
      <button type="submit" disabled={state.busy || passphrase === ''} data-testid="unlock-submit">
        Unlock
      </button>
      {state.busy && (
        <progress
          data-testid="unlock-progress"
          max={1}
          value={state.progress?.fraction ?? 0}
          aria-label={`Deriving the key${state.progress ? ` (keyslot ${state.progress.keyslot})` : ''}`}
        />
      )}
      {state.error !== undefined && <InlineError error={state.error} testId="unlock-error" />}
    </form>
  );
}

/** The filesystem cell of a LUKS container: badge, then the unlock button or its mapping. */
function LuksCell({ d, inventory }: { d: DeviceSummary; inventory: Inventory }) {
  const [open, setOpen] = useState(false);
  const mapped = openedFrom(inventory, d);
  if (mapped) {
    return (
      <span className="lock unlocked" data-testid="lock-badge" data-state="unlocked">
        crypto_LUKS <span className="badge">unlocked</span> → {mapped.name}
      </span>
    );
  }
  return (
    <span className="lock" data-testid="lock-badge" data-state="locked">
      crypto_LUKS <span className="badge">locked</span>{' '}
      {!open && (
        <button type="button" data-testid="unlock-button" onClick={() => setOpen(true)}>
          Unlock…
        </button>
      )}
      {open && <UnlockForm device={d.name} onDone={() => setOpen(false)} />}
    </span>
  );
}

/** What the filesystem column shows for a device: encrypted containers get their badge. */
export function FsCell({ d, inventory }: { d: DeviceSummary; inventory: Inventory }) {
  const type = d.fs?.type;
  if (type === 'crypto_LUKS') return <LuksCell d={d} inventory={inventory} />;
  if (type === 'BitLocker') {
    return (
      <span className="lock" data-testid="lock-badge" data-state="unsupported">
        BitLocker — locked (not supported yet)
      </span>
    );
  }
  return <>{type ?? ''}</>;
}
