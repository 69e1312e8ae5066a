import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram, launchAgent, programNotFound, programOf } from '../agents/agent-program.js';
import type { Launch } from '../agents/preset.js';
import { PRESET_NAMES, presetFor } from '../agents/presets.js';
import { agentEnv, type Environment } from '../core/agent-environment.js';
import type { AgentConfig } from '../core/config-schema.js';
import { agentFolder, type AgentFolder } from '../queue/input-paths.js';
import type { Layout } from '../queue/layout.js';
import { loadRunConfig } from '../queue/run-config.js';
import { findRepo } from '../worktrees/repo.js';
import { describeTable, tableChoice } from '../process/process-table.js';
import { daemonConfig } from './support/config-problems.js';
import { daemonStatus } from '../control/daemon-status.js';

const VERSION_TIMEOUT_MS = 15_000;

export interface CliCheck {
  name: string;
  path?: string;
  version?: string;
  install: string;
  // The configured agents this CLI was looked for as (with their bin:, PATH and folder); none: on the daemon's PATH.
  agents?: string[];
}

export interface AgentCheck {
  name: string;
  ok: boolean;
  detail: string;
}

// Whether `workspace: worktree` can work here; `needed` when the config makes it the default.
export interface WorktreeCheck {
  ok: boolean;
  needed: boolean;
  detail: string;
}

export interface DoctorReport {
  configProblems: string[];
  // Malformed lines of .env (skipped; the rest still counts).
  warnings: string[];
  // The pid of a running daemon that keeps its last good config while the file's is invalid.
  daemonOnOldConfig?: number;
  clis: CliCheck[];
  agents: AgentCheck[];
  worktrees: WorktreeCheck;
  // The process table in use (linux or posix) and why; a problem when it cannot answer as asked.
  processes: { ok: boolean; detail: string };
  ok: boolean;
}

// `orchestrate doctor`: which agent CLIs are installed, whether each configured agent can start,
// and every problem of orchestrator.yaml, each with its fix. Every section finds a CLI the way the
// daemon will at spawn time: the config and environment it loads (.env included), the same bin:,
// PATH and working folder.
export async function doctor(layout: Layout): Promise<DoctorReport> {
  const loaded = loadRunConfig(layout);
  const configured: Configured = new Map(
    (loaded.ok ? Object.entries(loaded.config.agents) : []).map(([name, agent]) => [
      name,
      { agent, resolution: resolveAgent(layout, loaded.environment, name, agent) },
    ]),
  );
  const clis = await checkClis(layout, loaded.environment, configured);
  const agents = [...configured].map(([name, { agent, resolution }]) => checkAgent(name, agent, resolution));
  // A running daemon judges the file with its own environment: an unset variable there counts too.
  const judged = daemonStatus(layout).running ? await daemonConfig(layout) : undefined;
  const configProblems = !loaded.ok
    ? loaded.errors
    : (judged?.problems ?? []).map((problem) => `orchestrator.yaml: ${problem}`);
  const daemon = judged?.problems || !loaded.ok ? judged : undefined;
  const worktrees = await checkWorktrees(layout, loaded.ok && loaded.config.worktree.workspace === 'worktree');
  const processes = checkProcesses();
  return {
    configProblems,
    warnings: loaded.warnings,
    ...(daemon ? { daemonOnOldConfig: daemon.pid } : {}),
    clis,
    agents,
    worktrees,
    processes,
    ok:
      configProblems.length === 0 &&
      agents.every((agent) => agent.ok) &&
      (worktrees.ok || !worktrees.needed) &&
      processes.ok,
  };
}

// How the daemon would start an agent: its command line, environment and folder, and the program found.
interface Resolution {
  folder: AgentFolder;
  workdir: string;
  launch: Launch;
  env: Record<string, string | undefined>;
  found?: string;
}

type Configured = Map<string, { agent: AgentConfig; resolution: Resolution }>;

function resolveAgent(layout: Layout, environment: Environment, name: string, agent: AgentConfig): Resolution {
  const folder = agentFolder(layout.root, agent, name, 'workspace');
  const workdir = folder.kind === 'outside' ? layout.root : folder.path;
  const launch = launchAgent({
    taskId: 'doctor',
    task: { description: 'doctor' },
    prompt: 'doctor',
    promptFile: join(layout.runtimeDir, 'doctor.md'),
    workdir,
    agent,
  });
  const env = agentEnv(environment, layout.root, agent);
  const found = launch.kind === 'refused' ? undefined : findProgram(launch, workdir, env);
  return { folder, workdir, launch, env, ...(found ? { found } : {}) };
}

// Each preset's CLI as its configured agents will find it (a line per distinct program), else as
// an agent of that preset with no settings would: on the daemon's PATH.
function checkClis(layout: Layout, environment: Environment, configured: Configured): Promise<CliCheck[]> {
  return Promise.all(
    PRESET_NAMES.flatMap((preset) => {
      const install = presetFor({ preset, max_instances: 1 }).install;
      if (!install) return [];
      const byProgram = new Map<string, { resolution: Resolution; agents: string[] }>();
      for (const [name, { agent, resolution }] of configured) {
        if (agent.preset !== preset) continue;
        const group = byProgram.get(resolution.found ?? '') ?? { resolution, agents: [] };
        group.agents.push(name);
        byProgram.set(resolution.found ?? '', group);
      }
      if (byProgram.size === 0)
        return [
          checkCli(preset, install, resolveAgent(layout, environment, preset, { preset, max_instances: 1 }), undefined),
        ];
      return [...byProgram.values()].map((group) => checkCli(preset, install, group.resolution, group.agents));
    }),
  );
}

// Tasks may ask for a worktree at any time, so this is checked even when no default asks for one.
async function checkWorktrees(layout: Layout, needed: boolean): Promise<WorktreeCheck> {
  const found = await findRepo(layout.root);
  if (!found.ok) return { ok: false, needed, detail: found.error };
  return { ok: true, needed, detail: `git repository at ${found.repo.top}` };
}

// Which process table answers, and whether it can (posix needs ps).
function checkProcesses(): DoctorReport['processes'] {
  try {
    return { ok: tableChoice.problem === undefined, detail: describeTable() };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

async function checkCli(
  name: string,
  install: string,
  resolution: Resolution,
  agents: string[] | undefined,
): Promise<CliCheck> {
  const who = agents ? { agents } : {};
  if (!resolution.found) return { name, install, ...who };
  const version = await versionOf(resolution.found, resolution);
  return { name, path: resolution.found, install, ...(version ? { version } : {}), ...who };
}

// The first version-looking word of `<cli> --version` (CLIs print it in different shapes).
// It runs with the agent's environment, in its folder: a script CLI finds its interpreter on that PATH.
function versionOf(path: string, where: Pick<Resolution, 'env' | 'workdir'>): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = '';
    const cwd = existsSync(where.workdir) ? where.workdir : undefined;
    const child = spawn(path, ['--version'], {
      cwd,
      env: where.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: VERSION_TIMEOUT_MS,
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', () => resolve(/\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?/.exec(output)?.[0]));
  });
}

// Whether an agent could start now: its command line builds and its program is found.
function checkAgent(name: string, agent: AgentConfig, { folder, launch, found }: Resolution): AgentCheck {
  if (folder.kind === 'outside') return { name, ok: false, detail: folder.problem.message };
  if (folder.kind === 'missing')
    return { name, ok: false, detail: `its cwd ${agent.cwd} does not exist (create it, or fix agents.${name}.cwd)` };
  if (launch.kind === 'refused')
    return { name, ok: false, detail: `${launch.error} (fix agents.${name} in orchestrator.yaml)` };
  if (!found) return { name, ok: false, detail: programNotFound(name, agent, programOf(launch)) };
  return { name, ok: true, detail: `runs ${found}` };
}

export function renderDoctor(report: DoctorReport): string {
  const lines = ['Agent CLIs:'];
  for (const cli of report.clis) {
    const agents = cli.agents ? `agents: ${cli.agents.join(', ')}` : undefined;
    lines.push(
      cli.path
        ? `  ok       ${cli.name} ${cli.version ?? '(version unknown)'} at ${cli.path}${agents ? ` (${agents})` : ''}`
        : `  missing  ${cli.name} (${agents ? `${agents}; ` : ''}install: ${cli.install})`,
    );
  }
  lines.push('', 'orchestrator.yaml:');
  if (report.configProblems.length === 0) lines.push('  ok');
  for (const problem of report.configProblems) lines.push(`  problem  ${problem}`);
  for (const warning of report.warnings) lines.push(`  warning  ${warning}`);
  if (report.daemonOnOldConfig !== undefined)
    lines.push(
      `  note     the daemon (pid ${report.daemonOnOldConfig}) keeps running its last good config until this is fixed`,
    );
  if (report.agents.length > 0) lines.push('', 'Configured agents:');
  for (const agent of report.agents)
    lines.push(`  ${agent.ok ? 'ok     ' : 'problem'}  ${agent.name}: ${agent.detail}`);
  const worktrees = report.worktrees;
  lines.push(
    '',
    'Worktrees (workspace: worktree):',
    `  ${worktrees.ok ? 'ok     ' : worktrees.needed ? 'problem' : 'note   '}  ${worktrees.detail}${worktrees.ok || worktrees.needed ? '' : ' (only tasks with workspace: worktree need it)'}`,
  );
  lines.push('', 'Processes:', `  ${report.processes.ok ? 'ok     ' : 'problem'}  ${report.processes.detail}`);
  lines.push(
    '',
    report.ok ? 'Everything configured can run.' : 'Fix the problems above, then run `orchestrate doctor` again.',
  );
  return lines.join('\n');
}
