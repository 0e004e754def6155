// Type tests (checked by `tsc`, not run): a pino logger is a Logger, as are ours.
import type { Logger } from '@rxinformer/core';
import { pino } from 'pino';
import { consoleLogger } from './console-logger.js';
import { redactingLogger } from './redacting-logger.js';

const fromPino: Logger = pino();
const fromPinoChild: Logger = pino().child({ resource: 'pods' });
const fromConsole: Logger = consoleLogger({ level: 'debug' });
const wrapped: Logger = redactingLogger(fromPino, { paths: ['a.b'] });
export const loggers: readonly Logger[] = [fromPino, fromPinoChild, fromConsole, wrapped];
