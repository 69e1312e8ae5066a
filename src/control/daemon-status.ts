import { readFileSync } from 'node:fs';
import type { Layout } from '../queue/layout.js';
import { processTable } from '../process/process-table.js';

export interface DaemonStatus {
  running: boolean;
  pid?: number;
  startedAt?: string;
}

// Whether a daemon holds the workspace, from its pid file (cheap: no socket round trip).
export function daemonStatus(layout: Layout): DaemonStatus {
  try {
    const info = JSON.parse(readFileSync(layout.daemonInfoPath, 'utf8')) as { pid: number; started_at: string };
    return processTable.isProcessAlive(info.pid)
      ? { running: true, pid: info.pid, startedAt: info.started_at }
      : { running: false };
  } catch {
    return { running: false };
  }
}
