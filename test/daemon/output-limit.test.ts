// A run whose output grows past its agent's max_output is stopped, fails without a retry and says
// why: an agent stuck printing in a loop cannot fill the disk.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonTest, dropTask, FAST_DAEMON, inProcessDaemon, makeWorkspace, waitFor } from '../helpers/workspace.js';
import { foldersOf, readTask } from '../helpers/faults.js';

const test = daemonTest();

describe('max_output', () => {
  it('stops a run that writes more than its limit, records why, and does not retry it; other runs go on', async () => {
    test.ws = makeWorkspace(
      `max_concurrent: 4\nagents:\n  shell: { preset: shell, max_instances: 4 }\n  chatty: { preset: shell, max_instances: 1, max_output: 64KB }\ndefaults: { agent: shell, max_retries: 2, retry_delay: 100ms }\n${FAST_DAEMON}`,
    );
    const { root } = test.ws;
    test.daemon = inProcessDaemon(root);
    const flood = 'while :; do printf "%01000d\\n" 0; sleep 0.001; done';
    dropTask(root, 'flood', `description: prints forever\nagent: chatty\ncommand: '${flood}'\n`);
    dropTask(root, 'quiet', 'description: prints a line\ncommand: echo done\n');
    await waitFor('flood to fail', () => foldersOf(root, 'flood').join() === 'failed', 30_000);
    const task = readTask(root, 'failed', 'flood');
    expect(task.attempts).toHaveLength(1);
    expect(task.attempts![0]).toMatchObject({
      outcome: 'failed',
      error:
        'wrote more than 64 KB to its stdout and was stopped (raise max_output in agents.chatty or defaults of orchestrator.yaml; 0 turns the limit off)',
    });
    // Looked at once a second: the file stops growing soon after the limit.
    expect(statSync(join(root, '.orchestrate/runs/flood/1/stdout')).size).toBeLessThan(64 * 1024 * 64);
    await waitFor('quiet to complete', () => foldersOf(root, 'quiet').join() === 'completed');
  });
});
