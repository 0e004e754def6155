import { InvalidSelectorError } from './invalid-selector-error.js';

type Operator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
}

/**
 * A parsed Kubernetes label selector: equality (`=`, `==`, `!=`), set-based (`in`, `notin`),
 * existence (`key`, `!key`) and numeric (`>`, `<`) requirements, all of which must hold.
 * Matching is what the API server does for `?labelSelector=`: a missing label satisfies `!=`,
 * `notin` and `!key`, and nothing else.
 *
 * @example
 * ```ts
 * const selector = parseLabelSelector('app=web,tier in (front,back),!canary');
 * selector.matches({ app: 'web', tier: 'front' }); // true
 * selector.matches(undefined); // false: no app label
 * ```
 */
export interface LabelSelector {
  /** True when the labels satisfy every requirement. An empty selector matches everything. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the empty selector. */
  readonly empty: boolean;
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PUNCTUATION = ['==', '!=', '=', '!', '(', ')', ',', '>', '<'];

type Invalid = (detail: string) => never;

function checkKey(key: string, invalid: Invalid): void {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) {
    invalid(`<nil>: Invalid value: "${key}": prefix part must be a lowercase RFC 1123 subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    invalid(
      `<nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}

function checkValue(value: string, invalid: Invalid): void {
  if (value.length > 63 || (value.length > 0 && !NAME.test(value))) {
    invalid(
      `values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** Tokens: identifiers, operators and punctuation, in the order the Go lexer recognises them. */
function tokenize(text: string, invalid: Invalid): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(==|!=|=|!|\(|\)|,|>|<|[^\s=!(),<>]+)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null)
    tokens.push(match[1] ?? '');
  if (text.slice(pattern.lastIndex).trim() !== '')
    invalid(`found '${text.slice(pattern.lastIndex).trim()}', expected: identifier`);
  return tokens;
}

function parseRequirements(text: string, invalid: Invalid): Requirement[] {
  const tokens = tokenize(text, invalid);
  const requirements: Requirement[] = [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const isIdentifier = (token: string | undefined): token is string =>
    token !== undefined && !PUNCTUATION.includes(token);
  while (i < tokens.length) {
    if (peek() === '!') {
      i++;
      const key = tokens[i++];
      if (!isIdentifier(key)) invalid(`found '${key ?? ''}', expected: identifier after '!'`);
      checkKey(key, invalid);
      requirements.push({ key, op: '!', values: [] });
    } else {
      const key = tokens[i++];
      if (!isIdentifier(key)) invalid(`found '${key ?? ''}', expected: !, identifier, or 'end of string'`);
      checkKey(key, invalid);
      const op = peek();
      if (op === undefined || op === ',') {
        requirements.push({ key, op: 'exists', values: [] });
      } else if (op === '=' || op === '==' || op === '!=' || op === '>' || op === '<') {
        i++;
        const next = peek();
        const value = isIdentifier(next) ? (i++, next) : '';
        if (op === '>' || op === '<') {
          if (!/^-?\d+$/.test(value)) invalid(`for 'Gt', 'Lt' operators, the value must be an integer`);
        } else {
          checkValue(value, invalid);
        }
        requirements.push({
          key,
          op: op === '==' ? '=' : op === '>' ? 'gt' : op === '<' ? 'lt' : op,
          values: [value],
        });
      } else if (op === 'in' || op === 'notin') {
        i++;
        if (tokens[i++] !== '(') invalid(`found '${tokens[i - 1] ?? ''}', expected: '('`);
        const values: string[] = [];
        for (;;) {
          const token = tokens[i++];
          // `in ()` means the one empty value, as in apimachinery's parser.
          if (token === ')' && values.length === 0) {
            values.push('');
            break;
          }
          if (token === undefined || (token !== ',' && !isIdentifier(token)))
            invalid(`found '${token ?? ''}', expected: ',', ')' or identifier`);
          const value = isIdentifier(token) ? token : (i--, '');
          checkValue(value, invalid);
          values.push(value);
          const sep = tokens[i++];
          if (sep === ')') break;
          if (sep !== ',') invalid(`found '${sep ?? ''}', expected: ',' or ')'`);
        }
        if (values.length === 0) invalid(`for 'in', 'notin' operators, values set can't be empty`);
        requirements.push({ key, op, values });
      } else {
        invalid(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = tokens[i];
    if (sep === undefined) break;
    if (sep !== ',') invalid(`found '${sep}', expected: ',' or 'end of string'`);
    i++;
    if (i >= tokens.length) invalid(`found '', expected: identifier`);
  }
  return requirements;
}

function satisfies(requirement: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case 'in':
      return has && requirement.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !requirement.values.includes(value as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const bound = Number(requirement.values[0]);
      return requirement.op === 'gt' ? n > bound : n < bound;
    }
  }
}

const EVERYTHING: LabelSelector = Object.freeze({ empty: true, matches: () => true });

/**
 * Parses a label selector string the way the API server does (apimachinery's `labels.Parse`).
 * `undefined` and blank text are the empty selector, which matches everything.
 *
 * @throws {@link InvalidSelectorError} when it is malformed; its `problem` is the API server's
 * message for the same selector (`unable to parse requirement: …`).
 *
 * @example
 * ```ts
 * parseLabelSelector('env!=prod').matches({ env: 'dev' }); // true
 * parseLabelSelector('a in ('); // throws InvalidSelectorError
 * ```
 */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return EVERYTHING;
  const invalid: Invalid = (detail) => {
    throw new InvalidSelectorError('label', text ?? '', `unable to parse requirement: ${detail}`);
  };
  const requirements = parseRequirements(trimmed, invalid);
  return {
    empty: requirements.length === 0,
    matches: (labels) => {
      for (const requirement of requirements) if (!satisfies(requirement, labels)) return false;
      return true;
    },
  };
}
