import { RxInformerError } from '../errors.js';

/**
 * A label or field selector does not parse. `problem` says what is wrong in the API server's
 * own words (`unable to parse requirement: …`, `invalid selector: …`), so a selector checked
 * here is refused with the message the server would give. Fatal: the same selector fails again.
 *
 * @example
 * ```ts
 * try {
 *   parseLabelSelector('app in (');
 * } catch (e) {
 *   if (e instanceof InvalidSelectorError) console.error(e.selectorType, e.selector, e.problem);
 * }
 * ```
 */
export class InvalidSelectorError extends RxInformerError {
  /** Which kind of selector it is. */
  readonly selectorType: 'label' | 'field';
  /** The selector as it was given. */
  readonly selector: string;
  /** What is wrong with it, as the API server says it. */
  readonly problem: string;
  constructor(selectorType: 'label' | 'field', selector: string, problem: string) {
    super(`invalid ${selectorType} selector ${JSON.stringify(selector)}: ${problem}`, { transient: false });
    this.selectorType = selectorType;
    this.selector = selector;
    this.problem = problem;
  }
}
