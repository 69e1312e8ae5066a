import { accessSync, constants } from 'node:fs';
import { LinuxTable } from './linux-table.js';
import { PosixTable } from './posix-table.js';
import type { ProcessTable } from './table-contract.js';

// What callers need of the contract comes from here too, beside the table in use.
export {
  RUN_MARKER,
  RUNNER_MARKER,
  fileKey,
  groupAlive,
  type OpenFile,
  type OpenWriter,
} from './table-contract.js';

// Which table answers, and why (forced by ORCHESTRATE_PROCESS_TABLE, or what this system has).
export interface TableChoice {
  name: ProcessTable['name'];
  why: string;
  // A value of ORCHESTRATE_PROCESS_TABLE that could not be followed, said with its fix.
  problem?: string;
}

// The one place the process table is chosen: ORCHESTRATE_PROCESS_TABLE=linux or posix forces one
// (linux only where /proc can be read); otherwise linux where /proc/self/stat can be read, else posix.
export function chooseTable(forced: string | undefined, procReadable: boolean): TableChoice {
  const auto: TableChoice = procReadable
    ? { name: 'linux', why: '/proc/self/stat can be read' }
    : { name: 'posix', why: '/proc/self/stat cannot be read' };
  if (forced === undefined || forced === '') return auto;
  if (forced === 'posix') return { name: 'posix', why: 'ORCHESTRATE_PROCESS_TABLE=posix' };
  if (forced === 'linux' && procReadable) return { name: 'linux', why: 'ORCHESTRATE_PROCESS_TABLE=linux' };
  const problem =
    forced === 'linux'
      ? 'ORCHESTRATE_PROCESS_TABLE=linux, but /proc/self/stat cannot be read here (unset ORCHESTRATE_PROCESS_TABLE)'
      : `ORCHESTRATE_PROCESS_TABLE=${forced} is not a process table (set it to linux or posix, or unset it)`;
  return { ...auto, problem };
}

function procReadable(): boolean {
  try {
    accessSync('/proc/self/stat', constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export const tableChoice = chooseTable(process.env.ORCHESTRATE_PROCESS_TABLE, procReadable());

// The process table every caller asks.
export const processTable: ProcessTable = tableChoice.name === 'linux' ? new LinuxTable() : new PosixTable();

// The process table in use and why, in one line (doctor, the daemon's log).
export function describeTable(): string {
  return `${processTable.describe()}, because ${tableChoice.why}${tableChoice.problem ? `; ${tableChoice.problem}` : ''}`;
}

// The lowest pid of the processes findRunProcesses finds (a run's first process as a rule).
export function firstRunProcess(runDir: string): number | undefined {
  return processTable.findRunProcesses(runDir).sort((a, b) => a - b)[0];
}

// The live (non-zombie) processes of a process group.
export function liveGroupMembers(pgid: number): number[] {
  return processTable.membersOfGroups(new Set([pgid])).get(pgid) ?? [];
}
