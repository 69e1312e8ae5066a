import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PRESET_NAMES, presetFor } from '../agents/presets.js';
import { findCommand } from '../agents/resolve-command.js';
import { agentWorkdir, type AgentConfig } from '../core/config-schema.js';
import { loadConfig } from '../queue/config-file.js';
import type { Layout } from '../queue/layout.js';
import { findRepo } from '../worktrees/repo.js';
import { daemonStatus } from './daemon-status.js';

const VERSION_TIMEOUT_MS = 15_000;

export interface CliCheck {
  name: string;
  path?: string;
  version?: string;
  install: string;
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
  // The pid of a running daemon that keeps its last good config while the file's is invalid.
  daemonOnOldConfig?: number;
  clis: CliCheck[];
  agents: AgentCheck[];
  worktrees: WorktreeCheck;
  ok: boolean;
}

// `orchestrate doctor`: which agent CLIs are installed, whether each configured agent can start,
// and every problem of orchestrator.yaml, each with its fix.
export async function doctor(layout: Layout): Promise<DoctorReport> {
  const loaded = loadConfig(layout);
  const clis = await Promise.all(
    PRESET_NAMES.flatMap((name) => {
      const install = presetFor({ preset: name, max_instances: 1 }).install;
      return install ? [checkCli(name, install)] : [];
    }),
  );
  const agents = loaded.ok ? Object.entries(loaded.config.agents).map(([name, agent]) => checkAgent(layout, name, agent)) : [];
  const configProblems = loaded.ok ? [] : loaded.errors;
  const daemon = loaded.ok ? undefined : daemonStatus(layout);
  const worktrees = await checkWorktrees(layout, loaded.ok && loaded.config.worktree.workspace === 'worktree');
  return { configProblems, ...(daemon?.running ? { daemonOnOldConfig: daemon.pid } : {}), clis, agents, worktrees, ok: configProblems.length === 0 && agents.every((agent) => agent.ok) && (worktrees.ok || !worktrees.needed) };
}

// Tasks may ask for a worktree at any time, so this is checked even when no default asks for one.
async function checkWorktrees(layout: Layout, needed: boolean): Promise<WorktreeCheck> {
  const found = await findRepo(layout.root);
  if (!found.ok) return { ok: false, needed, detail: found.error };
  return { ok: true, needed, detail: `git repository at ${found.repo.top}` };
}

async function checkCli(name: string, install: string): Promise<CliCheck> {
  const path = findCommand(name, process.cwd(), process.env.PATH);
  if (!path) return { name, install };
  const version = await versionOf(path);
  return { name, path, install, ...(version ? { version } : {}) };
}

// The first version-looking word of `<cli> --version` (CLIs print it in different shapes).
function versionOf(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(path, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: VERSION_TIMEOUT_MS });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', () => resolve(/\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?/.exec(output)?.[0]));
  });
}

// Whether an agent could start now: its command line builds and its program is found.
function checkAgent(layout: Layout, name: string, agent: AgentConfig): AgentCheck {
  const preset = presetFor(agent);
  const workdir = agentWorkdir(layout.root, agent);
  if (!existsSync(workdir)) return { name, ok: false, detail: `its cwd ${agent.cwd} does not exist (create it, or fix agents.${name}.cwd)` };
  const launch = preset.launch({ taskId: 'doctor', task: { description: 'doctor' }, prompt: 'doctor', promptFile: join(layout.runtimeDir, 'doctor.md'), workdir, agent });
  if (launch.kind === 'refused') return { name, ok: false, detail: `${launch.error} (fix agents.${name} in orchestrator.yaml)` };
  const program = launch.kind === 'exec' ? launch.argv[0]! : '/bin/sh';
  const found = findCommand(program, workdir, agent.env?.PATH ?? process.env.PATH);
  if (!found) {
    const install = preset.install ? `install it with \`${preset.install}\`` : 'install it';
    return { name, ok: false, detail: `command not found: ${program} (${install}, or fix agents.${name} in orchestrator.yaml)` };
  }
  return { name, ok: true, detail: `runs ${found}` };
}

export function renderDoctor(report: DoctorReport): string {
  const lines = ['Agent CLIs:'];
  for (const cli of report.clis) lines.push(cli.path ? `  ok       ${cli.name} ${cli.version ?? '(version unknown)'} at ${cli.path}` : `  missing  ${cli.name} (install: ${cli.install})`);
  lines.push('', 'orchestrator.yaml:');
  if (report.configProblems.length === 0) lines.push('  ok');
  for (const problem of report.configProblems) lines.push(`  problem  ${problem}`);
  if (report.daemonOnOldConfig !== undefined) lines.push(`  note     the daemon (pid ${report.daemonOnOldConfig}) keeps running its last good config until this is fixed`);
  if (report.agents.length > 0) lines.push('', 'Configured agents:');
  for (const agent of report.agents) lines.push(`  ${agent.ok ? 'ok     ' : 'problem'}  ${agent.name}: ${agent.detail}`);
  const worktrees = report.worktrees;
  lines.push('', 'Worktrees (workspace: worktree):', `  ${worktrees.ok ? 'ok     ' : worktrees.needed ? 'problem' : 'note   '}  ${worktrees.detail}${worktrees.ok || worktrees.needed ? '' : ' (only tasks with workspace: worktree need it)'}`);
  lines.push('', report.ok ? 'Everything configured can run.' : 'Fix the problems above, then run `orchestrate doctor` again.');
  return lines.join('\n');
}
