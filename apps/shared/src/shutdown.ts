/**
 * Runs `stop` once on the first SIGINT or SIGTERM, then exits 0 (1 if `stop` fails). A second
 * signal while stopping exits at once with 130.
 *
 * @example
 * ```ts
 * declare function closeServer(): Promise<void>; // e.g. the app's HTTP server
 * const connection = await connect({ simulator: { pods: 100 } });
 * onShutdown(async () => { informers.shutdown(); await closeServer(); await connection.close(); });
 * ```
 */
export function onShutdown(stop: () => void | Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    Promise.resolve()
      .then(stop)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(
            `error: while stopping: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
