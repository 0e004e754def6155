/**
 * What {@link redactingLogger} removes on top of its built-in rules (Secret `data`/`stringData`,
 * `Authorization` and cookie headers, bearer and basic credentials and JWTs inside strings,
 * credentials in URLs, and `token`, `password`, `client-key-data`, `client-certificate-data`
 * and similar fields at any depth).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 *
 * const options: RedactionOptions = {
 *   paths: ['request.headers.x-api-key', 'users.*.apiKey'],
 *   keys: ['sessionId'],
 *   censor: '***',
 * };
 * const log = redactingLogger(pino(), options);
 * ```
 *
 * @see {@link redactingLogger}
 */
export interface RedactionOptions {
  /**
   * Dotted paths from the root of the fields object whose values are replaced, as pino's
   * `redact.paths` spell them: `*` matches any one key, `["a.b"]` a key that has dots.
   */
  readonly paths?: readonly string[];
  /** Key names whose values are replaced at any depth; case, `-` and `_` are ignored. */
  readonly keys?: readonly string[];
  /** What replaces a redacted value. Default `'[REDACTED]'`. */
  readonly censor?: string;
  /** Values nested deeper than this are replaced by `'[Truncated]'`. Default 16. */
  readonly maxDepth?: number;
}

/** A compiled redaction: returns the value itself when nothing in it needed redacting. */
export interface Redactor {
  value(value: unknown): unknown;
  text(text: string): string;
}

const SENSITIVE_KEYS = ['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'xapikey'];
// Matched as suffixes of the normalized key: `token` covers `idToken`, `bearer_token`, `refresh-token`.
const SENSITIVE_SUFFIXES = [
  'token',
  'password',
  'passphrase',
  'secret',
  'keydata',
  'certificatedata',
  'certdata',
  'privatekey',
  'apikey',
];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const QUICK = /bearer|basic|eyj|:\/\/|token|passw|secret|authorization|key-data|certificate-data|"data"/i;
// Serialized objects inside strings (a DecodeError's sample of a watch line, a logged body).
const SERIALIZED_DATA = /("(?:stringData|data)"\s*:\s*)\{[^{}]*\}?/g;
const SERIALIZED_SECRET = /Secret|"type"\s*:|"stringData"/;
const NO_PATHS: ReadonlyArray<Cursor> = [];

/** A configured path and how many of its segments the walk has matched so far. */
type Cursor = readonly [path: readonly string[], index: number];

const normalize = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

function parsePath(path: string): string[] {
  const segments: string[] = [];
  for (const match of path.matchAll(/\[\s*["']([^"']*)["']\s*\]|([^.[\]]+)/g))
    segments.push(match[1] ?? match[2] ?? '');
  return segments;
}

/** The non-enumerable fields of an error that serializers read: message, stack, and cause. */
function errorFields(error: Error): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [
    ['message', error.message],
    ['stack', error.stack],
  ];
  if (error.cause !== undefined && !Object.prototype.propertyIsEnumerable.call(error, 'cause'))
    fields.push(['cause', error.cause]);
  return fields;
}

/** Compiles options into a redactor; done once per logger, not per line. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const censor = options.censor ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 16;
  const exact = new Set([...SENSITIVE_KEYS, ...(options.keys ?? []).map(normalize)]);
  const rootPaths: Cursor[] = (options.paths ?? [])
    .map(parsePath)
    .filter((p) => p.length > 0)
    .map((p) => [p, 0]);
  const rules: Array<[RegExp, string]> = [
    [/\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, `$1${censor}`],
    [/\b(Basic\s+)[A-Za-z0-9+/]{8,}={0,2}/g, `$1${censor}`],
    [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, censor],
    [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]*@/gi, `$1${censor}@`],
    [/\b((?:access_|id_|refresh_)?token|password|client_secret)=[^&\s"']+/gi, `$1=${censor}`],
    [
      /("(?:[\w-]*token|[\w-]*password|[\w-]*secret|client-key-data|client-certificate-data|authorization)"\s*:\s*)"[^"]*"/gi,
      `$1"${censor}"`,
    ],
  ];
  // Keys repeat across lines (metadata, spec, ...): remember the verdict, up to a bound.
  const verdicts = new Map<string, boolean>();
  const sensitive = (key: string): boolean => {
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      const k = normalize(key);
      verdict = exact.has(k) || SENSITIVE_SUFFIXES.some((suffix) => k.endsWith(suffix));
      if (verdicts.size < 4096) verdicts.set(key, verdict);
    }
    return verdict;
  };

  const text = (s: string): string => {
    if (s.length < 8 || !QUICK.test(s)) return s;
    let out = s;
    for (const [pattern, replacement] of rules) out = out.replace(pattern, replacement);
    // A JSON `data` map in a string that may be a Secret (or a watch line: over-redacting is fine there).
    if (SERIALIZED_SECRET.test(out)) out = out.replace(SERIALIZED_DATA, `$1"${censor}"`);
    return out;
  };

  const censorValues = (data: unknown): unknown =>
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? Object.fromEntries(Object.keys(data).map((k) => [k, censor]))
      : censor;

  // List items carry no `kind`; a Secret is then recognised by its string `type` next to `data`.
  const isSecret = (o: Record<string, unknown>): boolean =>
    o.kind === 'Secret' ||
    'stringData' in o ||
    (o.kind === undefined && typeof o.type === 'string' && 'data' in o);

  const field = (
    key: string,
    child: unknown,
    secret: boolean,
    active: ReadonlyArray<Cursor>,
    depth: number,
    seen: Set<object>,
  ): unknown => {
    if (child === undefined || child === null) return child;
    let hit = sensitive(key);
    let next: Cursor[] | undefined;
    for (const [path, index] of active) {
      if (path[index] !== '*' && path[index] !== key) continue;
      if (index === path.length - 1) hit = true;
      else (next ??= []).push([path, index + 1]);
    }
    if (hit) return censor;
    if (secret && (key === 'data' || key === 'stringData')) return censorValues(child);
    if (key === LAST_APPLIED && typeof child === 'string' && child.includes('"Secret"')) return censor;
    return walk(child, depth + 1, next ?? NO_PATHS, seen);
  };

  const walk = (value: unknown, depth: number, active: ReadonlyArray<Cursor>, seen: Set<object>): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    if (seen.has(value)) return '[Circular]';
    if (depth > maxDepth) return '[Truncated]';
    const error = value instanceof Error ? value : undefined;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (!error && typeof toJSON === 'function') return walk(toJSON.call(value), depth, active, seen);
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const next =
            active.length === 0
              ? walk(value[i], depth + 1, NO_PATHS, seen)
              : field(String(i), value[i], false, active, depth, seen);
          if (next !== value[i]) (copy ??= value.slice())[i] = next;
        }
        return copy ?? value;
      }
      const source = value as Record<string, unknown>;
      const entries: Array<[string, unknown]> = Object.entries(source);
      const hiddenFields = error ? errorFields(error) : [];
      const hidden = hiddenFields.length;
      entries.unshift(...hiddenFields);
      const secret = !error && isSecret(source);
      let changed = false;
      for (const entry of entries) {
        const next = field(entry[0], entry[1], secret, active, depth, seen);
        if (next !== entry[1]) {
          entry[1] = next;
          changed = true;
        }
      }
      // Unchanged values are returned as they are, so the logger's serializers still apply.
      if (!changed) return value;
      if (!error) return Object.fromEntries(entries);
      // A redacted error keeps its prototype, so it still serializes as the error it was.
      const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
      entries.forEach(([key, v], i) =>
        Object.defineProperty(copy, key, {
          value: v,
          enumerable: i >= hidden,
          writable: true,
          configurable: true,
        }),
      );
      return copy;
    } finally {
      seen.delete(value);
    }
  };

  return { value: (value) => walk(value, 0, rootPaths, new Set()), text };
}
