import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWorkspace } from '../daemon/run-daemon.js';
import type { Layout } from '../queue/layout.js';

const CONFIG_TEMPLATE = `# orchestrate configuration: every field is described in the README, section "Config reference".
max_concurrent: 4

agents:
  # The built-in shell agent runs a task's \`command:\` (or its description) with /bin/sh.
  shell: { preset: shell, max_instances: 4 }
  # Any command can be an agent; {prompt}, {prompt_file}, {task_id} and {workdir} are filled in per task.
  # lint: { command: "npm run lint", max_instances: 1 }

defaults:
  agent: shell
  priority: normal
  timeout: 30m
  # One quick retry: enough for a transient failure, and a failing command still fails in seconds.
  max_retries: 1
  retry_delay: 5s

context:
  files: [context/project_overview.md]
`;

const OVERVIEW_TEMPLATE = `# Project overview

Describe the project here: what it is, how it is built and tested, and the conventions agents must
follow. Every agent gets this file with its task.
`;

// `orchestrate init`: creates the config, the task folders and context/, and ignores .orchestrate/.
export function init(layout: Layout): string[] {
  const created: string[] = [];
  ensureWorkspace(layout);
  if (!existsSync(layout.configPath)) {
    writeFileSync(layout.configPath, CONFIG_TEMPLATE);
    created.push('orchestrator.yaml');
  }
  mkdirSync(layout.contextDir, { recursive: true });
  const overview = join(layout.contextDir, 'project_overview.md');
  if (!existsSync(overview)) {
    writeFileSync(overview, OVERVIEW_TEMPLATE);
    created.push('context/project_overview.md');
  }
  for (const state of ['pending', 'assigned', 'completed', 'failed'] as const) {
    const keep = join(layout.folder(state), '.gitkeep');
    if (!existsSync(keep)) writeFileSync(keep, '');
  }
  const gitignore = join(layout.root, '.gitignore');
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (!ignored.split('\n').some((line) => line.trim() === '.orchestrate/' || line.trim() === '.orchestrate')) {
    writeFileSync(gitignore, `${ignored}${ignored === '' || ignored.endsWith('\n') ? '' : '\n'}.orchestrate/\n`);
    created.push('.gitignore entry for .orchestrate/');
  }
  return created;
}
