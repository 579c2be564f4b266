/**
 * Whatever the benchmark creates outside itself (namespaces, servers inside them, temp dirs)
 * registers an undo here. The undos are synchronous, so they also run from a signal or an
 * uncaught error, newest first, once.
 */
const undos: (() => void)[] = [];

export function onCleanup(undo: () => void): void {
  undos.push(undo);
}

export function cleanup(): void {
  while (undos.length > 0) {
    try {
      undos.pop()!();
    } catch (error) {
      console.error("cleanup:", error);
    }
  }
}

/** Ctrl-C, SIGTERM and crashes clean up too. */
export function cleanupOnExit(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      cleanup();
      process.exit(130);
    });
  }
  process.once("exit", cleanup);
}
