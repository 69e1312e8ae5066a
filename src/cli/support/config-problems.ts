import { sendControl } from '../../control/control-socket.js';
import type { Layout } from '../../queue/layout.js';

// "orchestrator.yaml is invalid (max_concurrent: ...; and 2 more)": the gist of a config that cannot
// be used, for warnings and status lines (no YAML or zod here: `add` prints it).
export function invalidConfig(problems: readonly string[]): string {
  const more = problems.length > 1 ? `; and ${problems.length - 1} more` : '';
  return `orchestrator.yaml is invalid (${problems[0] ?? 'unreadable'}${more})`;
}

// What a running daemon runs: its slots per agent and pool (`start --agents` sets them), and the
// problems of orchestrator.yaml as it is on disk now while it keeps its last good config (checked
// with its own environment, so an unset variable counts). Undefined when no daemon answers.
export interface DaemonConfig {
  pid: number;
  problems: string[] | undefined;
  slots: Record<string, number>;
  pool: string[] | undefined;
}

export async function daemonConfig(layout: Layout): Promise<DaemonConfig | undefined> {
  const reply = await sendControl(layout, { cmd: 'ping' }, 1000);
  if (!reply?.ok) return undefined;
  return {
    pid: reply.pid as number,
    problems: Array.isArray(reply.config_problems) ? (reply.config_problems as string[]) : undefined,
    slots: (reply.slots ?? {}) as Record<string, number>,
    pool: Array.isArray(reply.pool) ? (reply.pool as string[]) : undefined,
  };
}
