// What a scan request asks the next pass to list again: pending/, assigned/, or completed/ and failed/.
export type ScanFolder = 'pending' | 'assigned' | 'finished';

// The reconcile loop's flags: which folders the next pass lists again (all of them at start-up and
// at each rescan) and which pending files it reads again (named by a watch event, `add`, or a
// transition that ended). Each pass takes what was asked before it began.
export class ScanRequests {
  private readonly folders = new Set<ScanFolder>(['pending', 'assigned', 'finished']);
  private readonly files = new Set<string>();

  listAgain(folder: ScanFolder): void {
    this.folders.add(folder);
  }

  listAllAgain(): void {
    for (const folder of ['pending', 'assigned', 'finished'] as const) this.folders.add(folder);
  }

  // A pending file to read again in the next pass.
  readAgain(id: string): void {
    this.files.add(id);
  }

  // Whether the folder was to be listed again (asked once, answered once).
  take(folder: ScanFolder): boolean {
    return this.folders.delete(folder);
  }

  // The pending files to read again, forgotten as they are handed out.
  takeFiles(): string[] {
    const ids = [...this.files];
    this.files.clear();
    return ids;
  }
}
