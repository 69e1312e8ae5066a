import { sweepTempFiles } from '../queue/atomic-write.js';
import { currentOwner, foreignHeld, releaseLocks, sweepLocks, takeLocks, writeHeld } from '../queue/resource-locks.js';
import type { DaemonContext } from './context.js';

// The daemon's side of resource locks: lockfiles taken before a spawn and released at every end,
// taken over for runs adopted after a crash, and swept when their daemon and agent are both gone.
export class RunLocks {
  private readonly owner = currentOwner();
  // Locks other daemons' runs hold (re-read at each full rescan and after a lost take).
  foreign: { id: string; locks: readonly string[] }[] = [];

  constructor(private readonly ctx: DaemonContext) {}

  // Takes a run's locks before its agent is spawned; false when another daemon's run holds one.
  take(id: string, attempt: number, locks: readonly string[]): boolean {
    if (locks.length === 0) return true;
    const taken = takeLocks(this.ctx.layout, this.owner, { task: id, attempt, locks });
    if (!taken.ok) {
      this.ctx.log.info({ task: id }, `${id} waits: lock ${taken.lock} is held by ${taken.heldBy} (another daemon)`);
      this.noteForeign();
    }
    return taken.ok;
  }

  release(id: string, locks: readonly string[]): void {
    if (locks.length > 0) releaseLocks(this.ctx.layout, id);
  }

  // A run adopted from a crashed daemon keeps its locks: its lockfile now names this daemon.
  takeOver(id: string, attempt: number, locks: readonly string[]): void {
    if (locks.length > 0) writeHeld(this.ctx.layout, this.owner, { task: id, attempt, locks });
  }

  // Releases lockfiles no daemon and no agent holds any more (left by a crash), except those of
  // runs this daemon owns.
  sweep(ours: (id: string) => boolean): void {
    const { layout, log } = this.ctx;
    for (const path of sweepTempFiles(layout.locksDir)) log.info({ path }, 'swept a temp file left by a crash');
    for (const id of sweepLocks(layout, this.owner, ours))
      log.info({ task: id }, `released the locks of ${id}: its run is gone`);
    this.noteForeign();
  }

  private noteForeign(): void {
    this.foreign = foreignHeld(this.ctx.layout, this.owner).map((held) => ({ id: held.task, locks: held.locks }));
  }
}
