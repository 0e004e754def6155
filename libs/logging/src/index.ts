export { silentLogger, type LogFn, type Logger } from '@rxinformer/core';
export { type LevelOption, type LogLevel } from './levels.js';
export { consoleLogger, type ConsoleLogger, type ConsoleLoggerOptions } from './console-logger.js';
export { redactingLogger } from './redacting-logger.js';
export { type RedactionOptions } from './redact.js';
export { logEvents, type LogEventsOptions } from './log-events.js';
export { logHealth, type HealthTransition, type LogHealthOptions } from './log-health.js';
