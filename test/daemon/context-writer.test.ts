// context/ summaries: once the daemon has stopped its writer, a change no longer arms the timer
// that would rewrite them later (for a daemon that has returned, holding its process open).
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextWriter } from '../../src/daemon/context-writer.js';
import type { DaemonContext } from '../../src/daemon/context.js';
import { silentLogger } from '../../src/daemon/logger.js';
import { loadRunConfig } from '../../src/queue/run-config.js';
import { TaskIndex } from '../../src/queue/task-index.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
});

// Timers that hold the event loop open (an unref'd timer does not).
const armedTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

function writerFor(workspace: Workspace): ContextWriter {
  const loaded = loadRunConfig(workspace.layout);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const ctx: DaemonContext = {
    layout: workspace.layout,
    config: () => loaded.config,
    environment: () => loaded.environment,
    log: silentLogger(),
    worker: 'test',
    index: TaskIndex.load(workspace.layout),
    event: () => undefined,
  };
  const completed = new Set(['done']);
  return new ContextWriter(ctx, { completed, failed: new Set(), pending: () => [], running: () => [] });
}

describe('ContextWriter', () => {
  it('arms no timer for a change after stop, and still writes when told to', async () => {
    ws = makeWorkspace();
    const writer = writerFor(ws);
    const before = armedTimers();
    writer.changed('done');
    expect(armedTimers()).toBe(before + 1);
    writer.stop();
    expect(armedTimers()).toBe(before);
    writer.changed('done');
    expect(armedTimers()).toBe(before);
    await writer.write({ idle: true });
    expect(existsSync(`${ws.layout.contextDir}/current_state.md`)).toBe(true);
    expect(armedTimers()).toBe(before);
  });
});
