export { batchEvents, type BatchOptions } from './batch-events.js';
export { coalesceByKey, type CoalesceOptions } from './coalesce-by-key.js';
export { dedupe, type DedupeOptions } from './dedupe.js';
export { rateLimit, type RateLimitOptions } from './rate-limit.js';
export { throttleByKey, type ThrottleByKeyOptions } from './throttle-by-key.js';
export { consumeWith, type ConsumeOptions } from './consume-with.js';
export { type OverflowPolicy } from './overflow.js';
export { QueueOverflowError } from './queue-overflow-error.js';
export { eventKey } from './event-key.js';
