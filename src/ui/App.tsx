// The page: a drop zone, then for the opened image its header, I/O statistics and disk
// map. All engine work happens in the worker; this component only holds which files were
// supplied last (to answer "which image?") and renders the queries' results.

import { useEffect, useState } from 'react';
import type { OpenedImage } from '../worker/session.js';
import { DiskMap } from './DiskMap.js';
import { DropZone } from './DropZone.js';
import { FilesystemPane } from './fs/FilesystemPane.js';
import { IdentityCards, InstalledPackages } from './IdentityCard.js';
import { ImageHeader } from './ImageHeader.js';
import { IoStatsPanel } from './IoStatsPanel.js';
import { ChooseImage, NotDiskImage, OpenError } from './Notices.js';
import { useInventory, useOpenImage } from './queries.js';
import { SessionContext } from './Unlock.js';

/** A file dropped beside the drop zone must not make the browser navigate away to it. */
function useNoStrayDrops(): void {
  useEffect(() => {
    const stop = (e: DragEvent) => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);
}

function ImageView({ opened, files }: { opened: OpenedImage; files: File[] }) {
  const inventory = useInventory(opened.session).data ?? opened.inventory;
  const fileBytes = files.reduce((n, f) => n + f.size, 0);
  return (
    <div className="image-view" data-testid="image-view" data-session={opened.session}>
      {opened.notices.map((n) => (
        <NotDiskImage key={n.file} notice={n} />
      ))}
      {inventory.disks.map((d) => (
        <ImageHeader key={d.device} disk={d} />
      ))}
      <IoStatsPanel session={opened.session} inventory={inventory} fileBytes={fileBytes} />
      <SessionContext.Provider value={opened.session}>
        <DiskMap inventory={inventory} />
      </SessionContext.Provider>
      <IdentityCards session={opened.session} />
      <FilesystemPane session={opened.session} />
      <InstalledPackages session={opened.session} />
    </div>
  );
}

export function App() {
  const open = useOpenImage();
  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState<string>();
  useNoStrayDrops();

  const openFiles = (next: File[], drives?: string[]) => {
    setFiles(next);
    open.mutate({ files: next, opts: { format, drives } });
  };
  const result = open.data;

  return (
    <div className="app">
      <header className="topbar">
        <h1>guestkit</h1>
        <p className="tagline">
          Virtual-machine disk images, explored in your browser. Nothing is uploaded.
        </p>
      </header>
      <main className="content">
        <DropZone
          onFiles={(f) => openFiles(f)}
          format={format}
          onFormat={setFormat}
          busy={open.isPending}
          compact={result?.status === 'opened'}
        />
        {open.isPending && (
          <p role="status" className="status" data-testid="opening">
            Opening {files.map((f) => f.name).join(', ')}…
          </p>
        )}
        {open.error && <OpenError error={open.error} />}
        {result?.status === 'choose' && (
          <ChooseImage choice={result} onChoose={(drives) => openFiles(files, drives)} />
        )}
        {result?.status === 'opened' && <ImageView opened={result} files={files} />}
      </main>
    </div>
  );
}
