import { parseArgs } from 'node:util';

/**
 * One command-line flag: its type, what it means (shown by `--help`), and its default.
 *
 * @example
 * ```ts
 * const port: FlagSpec = { type: 'string', value: 'PORT', description: 'port to listen on', default: '8080' };
 * ```
 */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias, such as `n` for `-n`. */
  readonly short?: string;
  /** What the flag means, for `--help`. */
  readonly description: string;
  /** The placeholder of a string flag's value in `--help` (default `VALUE`). */
  readonly value?: string;
  /** The default of a string flag, shown by `--help`. */
  readonly default?: string;
}

/**
 * The flags of a command, by long name.
 *
 * @example
 * ```ts
 * const specs: FlagSpecs = { once: { type: 'boolean', description: 'run once' } };
 * ```
 */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/**
 * The parsed values: a string flag is a string (or `undefined` without a default), a boolean
 * flag a boolean.
 *
 * @example
 * ```ts
 * const values: FlagValues<{ port: { type: 'string'; description: ''; default: '8080' } }> = { port: '8080' };
 * ```
 */
export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]: S[K]['type'] extends 'boolean'
    ? boolean
    : S[K] extends { default: string }
      ? string
      : string | undefined;
};

/**
 * What a command is, for `--help`: its name, a one-line summary and optional extra text.
 *
 * @example
 * ```ts
 * const command: CommandInfo = { name: 'dashboard', summary: 'Live informer state in the browser.' };
 * ```
 */
export interface CommandInfo {
  readonly name: string;
  readonly summary: string;
  /** Printed after the flags, such as examples. */
  readonly epilog?: string;
}

/**
 * Bad command-line input: an unknown flag, a missing value, a value that does not parse.
 * Apps print its message and exit with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--port must be a number from 0 to 65535, got "http"');
 * ```
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The result of {@link parseFlags}: the values, or the help text when `--help` was given.
 *
 * @example
 * ```ts
 * const command: CommandInfo = { name: 'my-app', summary: 'Does one thing.' };
 * const flags = { ...clusterFlags, ...logFlags };
 * const parsed: ParsedFlags<typeof flags> = parseFlags(command, flags, process.argv.slice(2));
 * if (parsed.help !== undefined) console.log(parsed.help);
 * ```
 */
export type ParsedFlags<S extends FlagSpecs> =
  | { readonly help: string; readonly values?: never }
  | { readonly help?: never; readonly values: FlagValues<S> };

/**
 * Parses command-line arguments with `node:util` `parseArgs` (strict: unknown flags and
 * positional arguments are errors). `--help`/`-h` is always accepted and returns the help text
 * instead of values. Throws {@link UsageError} with a message that names the flag.
 *
 * @example
 * ```ts
 * const flags = { port: { type: 'string', value: 'PORT', description: 'port', default: '8080' } } as const;
 * const parsed = parseFlags({ name: 'dashboard', summary: 'Live state.' }, flags, ['--port', '0']);
 * parsed.values?.port; // '0'
 * ```
 */
export function parseFlags<S extends FlagSpecs>(
  command: CommandInfo,
  specs: S,
  args: readonly string[],
): ParsedFlags<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (error) {
    throw new UsageError(usageMessage(error));
  }
  if (values['help'] === true) return { help: helpText(command, specs) };
  const out: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    out[name] = spec.type === 'boolean' ? value === true : ((value as string | undefined) ?? spec.default);
  }
  return { values: out as FlagValues<S> };
}

/** parseArgs' messages are long and mention `strict: false`; keep the useful part. */
function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}" (flags start with --)`;
  return message.split('\n')[0] ?? message;
}

/**
 * The `--help` text of a command: usage, summary, and one line per flag with its default.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText({ name: 'pod-health', summary: 'Reports unhealthy pods.' }, { ...clusterFlags, ...logFlags }));
 * ```
 */
export function helpText(command: CommandInfo, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
    const fallback =
      spec.default === undefined ? '' : ` (default: ${spec.default === '' ? '""' : spec.default})`;
    return [`  ${short}--${name}${value}`, `${spec.description}${fallback}`] as const;
  });
  rows.push(['  -h, --help', 'show this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `${left.padEnd(width)}${right}`);
  const epilog = command.epilog === undefined ? '' : `\n${command.epilog.trimEnd()}\n`;
  return `Usage: ${command.name} [flags]\n\n${command.summary}\n\nFlags:\n${lines.join('\n')}\n${epilog}`;
}

/**
 * Parses an integer flag value within `[min, max]`, or throws a {@link UsageError} naming the flag.
 *
 * @example
 * ```ts
 * const port = intFlag('port', '8080', { min: 0, max: 65535 }); // 8080
 * ```
 */
export function intFlag(name: string, value: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const number = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const bounds = range.max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be a whole number ${bounds}, got "${value}"`);
  }
  return number;
}

/**
 * Parses a decimal flag value of at least `min`, or throws a {@link UsageError} naming the flag.
 *
 * @example
 * ```ts
 * const seconds = numberFlag('window', '0.25', { min: 0.01 }); // 0.25
 * ```
 */
export function numberFlag(name: string, value: string, range: { min?: number } = {}): number {
  const min = range.min ?? 0;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number < min)
    throw new UsageError(`--${name} must be a number of at least ${min}, got "${value}"`);
  return number;
}
