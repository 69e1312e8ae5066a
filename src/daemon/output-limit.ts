import { statSync } from 'node:fs';
import { join } from 'node:path';
import { outputLimit, type Config } from '../core/config-schema.js';
import { formatSize } from '../core/size.js';
import type { StopRequest } from './live-run.js';

// Why a run must be stopped for its output, if it wrote more to stdout or stderr than its agent's
// `max_output`: a runaway loop (`yes`) would otherwise fill the disk. Not retried: it would again.
export function outputOverLimit(config: Config, agent: string, runDir: string): StopRequest | undefined {
  const limit = outputLimit(config, agent);
  if (limit <= 0) return undefined;
  for (const stream of ['stdout', 'stderr'] as const) {
    const size = statSync(join(runDir, stream), { throwIfNoEntry: false })?.size ?? 0;
    if (size <= limit) continue;
    const error = `wrote more than ${formatSize(limit)} to its ${stream} and was stopped (raise max_output in agents.${agent} or defaults of orchestrator.yaml; 0 turns the limit off)`;
    return { outcome: 'failed', error, requeue: false, final: true };
  }
  return undefined;
}
