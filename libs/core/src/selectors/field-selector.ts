import { InvalidSelectorError } from './invalid-selector-error.js';

/**
 * One term of a field selector: `field=value` (also written `field==value`) or `field!=value`.
 *
 * @example
 * ```ts
 * const [term] = parseFieldSelector('status.phase!=Running').requirements;
 * term; // { field: 'status.phase', operator: '!=', value: 'Running' }
 * ```
 */
export interface FieldRequirement {
  /** The dotted path of the field, such as `spec.nodeName`. */
  readonly field: string;
  readonly operator: '=' | '!=';
  /** The value to compare with, unescaped (`a\,b` in the selector is `a,b` here). */
  readonly value: string;
}

/**
 * A parsed field selector: terms joined by commas, all of which must hold. It knows nothing of
 * which fields a resource lets the API server select on; it matches any object by the dotted
 * paths it names (see {@link fieldValue}), and a missing field compares as the empty string, as
 * on the API server.
 *
 * @example
 * ```ts
 * const selector = parseFieldSelector('metadata.namespace=shop,status.phase!=Running');
 * selector.matches({ metadata: { name: 'web-1', namespace: 'shop' }, status: { phase: 'Pending' } }); // true
 * selector.matchesValues((field) => (field === 'status.phase' ? 'Running' : 'shop')); // false
 * ```
 */
export interface FieldSelector {
  /** True for the empty selector, which matches everything. */
  readonly empty: boolean;
  /** The terms, sorted as the API server keeps them. */
  readonly requirements: readonly FieldRequirement[];
  /** True when the object's fields, read by their dotted paths, satisfy every term. */
  matches(object: unknown): boolean;
  /** True when the values `valueOf` gives for the named fields satisfy every term. */
  matchesValues(valueOf: (field: string) => string): boolean;
}

/**
 * The value of a dotted field path (`metadata.name`, `spec.nodeName`, `involvedObject.kind`)
 * of an object, as a field selector compares it: strings as they are, numbers and booleans in
 * their JSON spelling. `undefined` when the path is missing or ends in an object, an array or
 * null; a selector then compares the empty string.
 *
 * @example
 * ```ts
 * fieldValue({ spec: { nodeName: 'node-a', hostNetwork: true } }, 'spec.nodeName'); // 'node-a'
 * fieldValue({ spec: { hostNetwork: true } }, 'spec.hostNetwork'); // 'true'
 * fieldValue({ spec: {} }, 'spec.nodeName'); // undefined
 * ```
 */
export function fieldValue(object: unknown, field: string): string | undefined {
  let current = object;
  let from = 0;
  for (;;) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const dot = field.indexOf('.', from);
    const segment = dot < 0 ? field.slice(from) : field.slice(from, dot);
    current = Object.prototype.hasOwnProperty.call(current, segment)
      ? (current as Record<string, unknown>)[segment]
      : undefined;
    if (dot < 0) break;
    from = dot + 1;
  }
  switch (typeof current) {
    case 'string':
      return current;
    case 'number':
    case 'boolean':
      return String(current);
    default:
      return undefined;
  }
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Splits on an unescaped separator. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function holds(requirements: readonly FieldRequirement[], valueOf: (field: string) => string): boolean {
  for (const { field, operator, value } of requirements) {
    if ((valueOf(field) === value) !== (operator === '=')) return false;
  }
  return true;
}

const EVERYTHING: FieldSelector = Object.freeze({
  empty: true,
  requirements: Object.freeze([]),
  matches: () => true,
  matchesValues: () => true,
});

/**
 * Parses a field selector string the way the API server does (apimachinery's
 * `fields.ParseSelector`): `field=value`, `field==value` and `field!=value` terms joined by
 * commas, with `\,`, `\=` and `\\` escaping those characters in values; empty terms are
 * skipped. `undefined` and blank text are the empty selector. Which fields a resource supports
 * is the server's business: any field name parses here.
 *
 * @throws {@link InvalidSelectorError} for a term without an operator; its `problem` is the API
 * server's message (`invalid selector: '…'; can't understand '…'`).
 *
 * @example
 * ```ts
 * const onNode = parseFieldSelector('spec.nodeName=node-a');
 * onNode.matches({ spec: { nodeName: 'node-a' } }); // true
 * parseFieldSelector('justaword'); // throws InvalidSelectorError
 * ```
 */
export function parseFieldSelector(text: string | undefined): FieldSelector {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return EVERYTHING;
  const requirements: FieldRequirement[] = [];
  // As apimachinery does: terms in sorted order (which decides the term an error names), and
  // empty ones (`a=1,`) skipped.
  for (const term of splitUnescaped(trimmed, ',').sort()) {
    if (term === '') continue;
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (match === null) {
      throw new InvalidSelectorError(
        'field',
        text ?? '',
        `invalid selector: '${trimmed}'; can't understand '${term}'`,
      );
    }
    requirements.push({
      field: (match[1] ?? '').trim(),
      operator: match[2] === '!=' ? '!=' : '=',
      value: unescape(match[3] ?? ''),
    });
  }
  Object.freeze(requirements);
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (object) => holds(requirements, (field) => fieldValue(object, field) ?? ''),
    matchesValues: (valueOf) => holds(requirements, valueOf),
  };
}
