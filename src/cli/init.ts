import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWorkspace } from '../queue/workspace-folders.js';
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

// `orchestrate init`: creates the config, the task folders and context/, and ignores .orchestrate/ and .env.
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
  const entries = ignoreEntries(join(layout.root, '.gitignore'));
  if (entries.length > 0)
    created.push(`.gitignore ${entries.length > 1 ? 'entries' : 'entry'} for ${entries.join(' and ')}`);
  return created;
}

// What git must not see: the runtime folder, and .env, where the keys the agents use are kept.
const IGNORED = [
  { entry: '.orchestrate/', spellings: ['.orchestrate/', '.orchestrate', '/.orchestrate/', '/.orchestrate'] },
  { entry: '.env', spellings: ['.env', '/.env'] },
];

// Adds the entries a .gitignore lacks; returns them.
function ignoreEntries(gitignore: string): string[] {
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const lines = ignored.split('\n').map((line) => line.trim());
  const missing = IGNORED.filter(({ spellings }) => !spellings.some((spelling) => lines.includes(spelling))).map(
    ({ entry }) => entry,
  );
  if (missing.length > 0)
    writeFileSync(
      gitignore,
      `${ignored}${ignored === '' || ignored.endsWith('\n') ? '' : '\n'}${missing.map((entry) => `${entry}\n`).join('')}`,
    );
  return missing;
}
