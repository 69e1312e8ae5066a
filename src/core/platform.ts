// What orchestrate does differently per platform, as pure decisions (the caller passes
// `process.platform` and the environment), so each can be tested for every platform on any machine.

// Forces the socket-file path on Linux (`ORCHESTRATE_CONTROL_SOCKET=file`), the one macOS takes, so
// tests here exercise the lock that guards it.
export const CONTROL_SOCKET_VARIABLE = 'ORCHESTRATE_CONTROL_SOCKET';

export type ControlSocketKind = 'abstract' | 'file';

// Linux has abstract sockets, which the kernel frees when their daemon dies (no stale file to judge);
// every other system gets a socket file guarded by an owner lock.
export function controlSocketKind(platform: string, forced: string | undefined): ControlSocketKind {
  return platform === 'linux' && forced !== 'file' ? 'abstract' : 'file';
}

// Native Windows lacks what the daemon is built on (process groups, POSIX signals, /bin/sh runners):
// the one line `start`, `run` and `doctor` show there, or undefined where orchestrate runs.
export function unsupportedPlatform(platform: string): string | undefined {
  return platform === 'win32'
    ? 'orchestrate does not run on Windows itself: run it under WSL2 (`wsl --install`, then install Node.js and orchestrate inside WSL)'
    : undefined;
}
