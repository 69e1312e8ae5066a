import { processStarts } from '../process/runner-pool.js';
import { diskSyncs } from '../queue/atomic-write.js';

// What the daemon has spent since it started (CPU time, fsyncs, processes started), in its ping
// reply: bench/ divides what a run of tasks added by their number, to show where the time per task
// goes, and the same counters work on every system.
export function costsSoFar(): Record<string, number> {
  const cpu = process.cpuUsage();
  return {
    cpu_user_ms: cpu.user / 1000,
    cpu_system_ms: cpu.system / 1000,
    file_syncs: diskSyncs.files,
    folder_syncs: diskSyncs.folders,
    runner_shells: processStarts.shells,
    runs: processStarts.runs,
  };
}
