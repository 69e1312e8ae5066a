import type { Layout } from '../queue/layout.js';
import { configOrFail } from './support/config.js';
import { formatDuration } from '../core/duration.js';
import { statusReport } from './status.js';
import { renderTable } from './support/table.js';

export interface AgentRow {
  name: string;
  kind: string;
  max_instances: number;
  running: number;
  timeout: string;
}

// `orchestrate agents`: what orchestrator.yaml configures and how busy each agent is.
export async function listAgents(layout: Layout): Promise<AgentRow[]> {
  const config = configOrFail(layout);
  const report = await statusReport(layout);
  return Object.entries(config.agents).map(([name, agent]) => ({
    name,
    kind: agent.preset
      ? `preset ${agent.preset}`
      : `command ${Array.isArray(agent.command) ? JSON.stringify(agent.command) : agent.command}`,
    // This run's slots when a daemon runs (`start --agents` sets them), else the config's.
    max_instances: report.slots?.find((slot) => slot.agent === name)?.max ?? agent.max_instances,
    running: report.running.filter((row) => row.agent === name).length,
    timeout: formatDuration(agent.timeoutMs ?? config.defaults.timeoutMs),
  }));
}

export function renderAgents(rows: AgentRow[]): string {
  return renderTable(
    ['AGENT', 'RUNNING', 'TIMEOUT', 'RUNS'],
    rows.map((row) => [row.name, `${row.running}/${row.max_instances}`, row.timeout, row.kind]),
  );
}
