// @rxinformer/logging: logEvents writes one line per event through a redacting pino logger, and
// no credential reaches the output.
'use strict';
/* global exports */

exports.modules = ['@rxinformer/logging', 'pino', 'rxjs'];

exports.run = async (m, { assert }) => {
  const { logEvents, redactingLogger } = m['@rxinformer/logging'];
  const pino = m.pino.default ?? m.pino;
  const { lastValueFrom, of } = m.rxjs;
  const lines = [];
  const logger = redactingLogger(pino({ level: 'debug' }, { write: (line) => lines.push(JSON.parse(line)) }));
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'smoke', resourceVersion: '7' },
    data: { password: 'aHVudGVyMg==' },
  };
  await lastValueFrom(
    of({ type: 'ADDED', object: secret, initial: false }).pipe(logEvents(logger, { resource: 'secrets' })),
  );
  logger.warn({ headers: { Authorization: 'Bearer abc.def.ghi' }, secret }, 'retrying');

  assert.equal(lines.length, 2);
  assert.equal(lines[0].name, 'db');
  assert.equal(lines[0].resource, 'secrets');
  const output = JSON.stringify(lines);
  assert.ok(!output.includes('abc.def.ghi'), 'the bearer token is redacted');
  assert.ok(!output.includes('aHVudGVyMg=='), 'the Secret data is redacted');
  assert.match(output, /\[REDACTED\]/);
};
