import { formatDuration } from './duration.js';

// Why a pending task is not running yet; data, so the daemon can hand it to `status` as JSON.
export type WaitReason =
  // Ids this task waits for: depends_on not completed yet, after or when not ended yet.
  | { kind: 'dependency'; ids: string[] }
  // Ids no task has (yet): the task waits until one is submitted.
  | { kind: 'unknown'; ids: string[] }
  // It is on a dependency cycle ("a -> b -> a"): it waits until a person breaks it.
  | { kind: 'cycle'; cycle: string }
  | { kind: 'lock'; lock: string; heldBy: string }
  // Every agent that may run it is full; [] means max_concurrent is reached. heldBack: those of
  // them this daemon run gives no slot (`--agents NAME:0`).
  | { kind: 'slot'; agents: string[]; heldBack?: string[] }
  | { kind: 'backoff'; until: number }
  | { kind: 'paused'; agent: string; until: number }
  // Its previous run is still being stopped.
  | { kind: 'blocked' };

const list = (ids: readonly string[]) => ids.join(', ');

function until(at: number, now: number): string {
  return `until ${new Date(at).toISOString()} (in ${formatDuration(Math.max(0, at - now))})`;
}

function describeSlotWait({ agents, heldBack = [] }: Extract<WaitReason, { kind: 'slot' }>): string {
  if (agents.length === 0) return 'waits for a free slot (max_concurrent reached)';
  const withSlots = agents.filter((name) => !heldBack.includes(name));
  const held = `${list(heldBack)} ${heldBack.length === 1 ? 'is' : 'are'} held back in this run (--agents ${heldBack.map((name) => `${name}:0`).join(',')})`;
  if (withSlots.length === 0)
    return `waits: ${held}; restart the daemon with a slot for ${heldBack.length === 1 ? 'it' : 'them'}`;
  return `waits for a free slot of ${list(withSlots)}${heldBack.length > 0 ? `; ${held}` : ''}`;
}

// One line for people: "waits for db-schema, api (dependencies)".
export function describeWait(reason: WaitReason, now: number): string {
  switch (reason.kind) {
    case 'dependency':
      return `waits for dependencies: ${list(reason.ids)}`;
    case 'unknown':
      return `waits for unknown task${reason.ids.length === 1 ? '' : 's'} ${list(reason.ids)} (no such id yet: submit it, or fix the id)`;
    case 'cycle':
      return `waits on a dependency cycle ${reason.cycle} (remove one of these dependencies)`;
    case 'lock':
      return `waits for lock ${reason.lock} held by ${reason.heldBy}`;
    case 'slot':
      return describeSlotWait(reason);
    case 'backoff':
      return `waits out its retry backoff ${until(reason.until, now)}`;
    case 'paused':
      return `waits: agent ${reason.agent} is paused by a usage limit ${until(reason.until, now)}`;
    case 'blocked':
      return 'waits for its previous run to stop';
  }
}

// What `status` shows for a pending task: why it waits, or what happens to it next.
export type PendingView =
  | WaitReason
  // New or changed: read once it has stopped changing (and no process holds it open for writing).
  | { kind: 'settling'; writer?: { pid: number; command: string } }
  | { kind: 'starting' }
  // Nothing holds it back: it starts once a daemon runs.
  | { kind: 'ready' }
  // It will end without running: a failed dependency, or its when-condition did not hold.
  | { kind: 'ends'; outcome: 'failed' | 'skipped'; why: string }
  | { kind: 'invalid'; problem: string };

// One line for people, for any pending task.
export function describePending(view: PendingView, now: number): string {
  switch (view.kind) {
    case 'settling':
      return view.writer
        ? `being written by ${view.writer.command} (pid ${view.writer.pid}): read once it closes the file`
        : 'new or changed: read once it stops changing';
    case 'starting':
      return 'starting';
    case 'ready':
      return 'ready: starts once a daemon runs (`orchestrate start`)';
    case 'ends':
      return `will end as ${view.outcome}: ${view.why}`;
    case 'invalid':
      return `invalid, will be set aside: ${view.problem}`;
    default:
      return describeWait(view, now);
  }
}
