import { explainError } from './explain-error.js';
import { fail } from './fail.js';
import { parseFlags, UsageError, type CommandInfo, type FlagSpecs, type FlagValues } from './flags.js';

/**
 * {@link parseFlags} for a `main`: prints `--help` to stdout and exits 0, prints a usage error as
 * one line on stderr and exits 2, else returns the values. `check` may validate them further
 * and throw {@link UsageError}.
 *
 * @example
 * ```ts
 * const flags = { ...clusterFlags, ...logFlags };
 * const values = parseCommandLine({ name: 'dashboard', summary: 'Live state.' }, flags, process.argv.slice(2));
 * ```
 */
export function parseCommandLine<S extends FlagSpecs, R = FlagValues<S>>(
  command: CommandInfo,
  specs: S,
  args: readonly string[],
  check?: (values: FlagValues<S>) => R,
): R {
  try {
    const parsed = parseFlags(command, specs, args);
    if (parsed.help !== undefined) {
      process.stdout.write(parsed.help);
      process.exit(0);
    }
    return check ? check(parsed.values) : (parsed.values as R);
  } catch (error) {
    if (error instanceof UsageError) fail(explainError(error), 2);
    throw error;
  }
}
