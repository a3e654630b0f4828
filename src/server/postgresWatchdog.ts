import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { ChronicleError } from '../errors.js';
import { shQuote } from './postgresInstall.js';

/**
 * A detached `sh` that owns a PostgreSQL server's life: it starts the server when told, and stops
 * it when this process tells it to or when its stdin reaches end of file — which also happens when
 * this process dies in any way, SIGKILL included. It ignores SIGINT/SIGTERM/SIGHUP (a Ctrl-C to
 * the terminal reaches the whole process group) and SIGPIPE (its parent may be gone when it
 * reports), so it always gets to stop the server and remove the throwaway data.
 *
 * Protocol on its stdin: "start" runs `start` and answers "started <exit code>"; then either
 * "keep" (a clean `fast` shutdown, data kept) or end of file (an `immediate` shutdown, then
 * `removeOnEof` is deleted). Because the one shell both starts and stops the server, a parent
 * dying in the middle of the start still leaves no server behind.
 */
export interface Watchdog {
  pid: number;
  /** Starts the server; resolves with pg_ctl's exit code. */
  start(timeoutMs: number): Promise<number>;
  /** Stops the server (keeping its data when `keep`), waits for the watchdog to finish. */
  stop(opts: { keep: boolean; timeoutMs?: number }): Promise<void>;
}

export interface WatchdogCommands {
  start: string[];
  stopFast: string[];
  stopImmediate: string[];
  /** File receiving pg_ctl's own output. */
  ctlLog: string;
  /** Deleted after an end-of-file stop; null keeps everything. */
  removeOnEof: string | null;
  /** Deleted after any stop (e.g. a socket folder of its own). */
  removeAlways?: string | null;
  cwd: string;
}

function script(c: WatchdogCommands): string {
  const cmd = (argv: string[]) => `${argv.map(shQuote).join(' ')} >>${shQuote(c.ctlLog)} 2>&1`;
  return [
    `trap '' INT TERM HUP PIPE`,
    `keep=no`,
    `if read -r line && [ "$line" = start ]; then`,
    `  ${cmd(c.start)}`,
    `  echo "started $?"`,
    `  if read -r line && [ "$line" = keep ]; then keep=yes; fi`,
    `fi`,
    `if [ $keep = yes ]; then ${cmd(c.stopFast)}; else ${cmd(c.stopImmediate)}; fi`,
    // The server is down once "stopped" is out; removing the folder needs nobody to wait for it.
    `echo stopped`,
    c.removeOnEof ? `if [ $keep = no ]; then rm -rf ${shQuote(c.removeOnEof)}; fi` : ':',
    c.removeAlways ? `rm -rf ${shQuote(c.removeAlways)}` : ':',
  ].join('\n');
}

/** Spawns the watchdog shell (before any server exists, so nothing can outlive this process). */
export function spawnWatchdog(commands: WatchdogCommands): Watchdog {
  const child: ChildProcess = spawn('/bin/sh', ['-c', script(commands)], {
    cwd: commands.cwd,
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const stdin = child.stdin!;
  stdin.on('error', () => {}); // the watchdog may be gone already; that is what stop() finds out
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  exited.then(() => waiters.splice(0).forEach((w) => w()));

  const nextLine = async (prefix: string, timeoutMs: number): Promise<string | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((l) => l.startsWith(prefix));
      if (found) return found;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  // Between start and stop nothing of ours should keep the event loop alive: a caller that forgets
  // stop() still exits, and the closed pipe makes the watchdog clean up.
  const setRef = (on: boolean) => {
    for (const handle of [child, stdin as unknown as Socket, child.stdout as unknown as Socket]) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  };

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid ?? -1,
    async start(timeoutMs) {
      stdin.write('start\n');
      const line = await nextLine('started ', timeoutMs);
      if (line === null) throw new ChronicleError('CONNECTION', `pg_ctl start did not finish within ${timeoutMs} ms`);
      setRef(false);
      return Number(line.slice('started '.length));
    },
    stop({ keep, timeoutMs = 30_000 }) {
      stopping ??= (async () => {
        setRef(true);
        if (keep) stdin.write('keep\n');
        stdin.end();
        if ((await nextLine('stopped', timeoutMs)) === null && child.exitCode === null) {
          throw new ChronicleError('CONNECTION', `the PostgreSQL watchdog (pid ${child.pid}) did not stop the server within ${timeoutMs} ms`);
        }
      })();
      return stopping;
    },
  };
}
