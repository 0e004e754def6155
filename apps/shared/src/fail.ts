/**
 * Ends the process with a one-line error on stderr (`error: …`) and a non-zero exit code (1, or
 * 2 for usage errors by convention). Never prints a stack trace.
 *
 * @example
 * ```ts
 * const configmap = process.env.CONFIGMAP;
 * if (!configmap) fail('--configmap is required: name the ConfigMap to watch', 2);
 * ```
 */
export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}
