// Runs one check of checks/<name>.cjs with the modules it names loaded through `load` (import()
// for the ESM entry, require() for the CJS one), and reports it in one line. A failed assertion,
// a throw or a check still running after 30 s exits non-zero.
'use strict';
/* global require, module, process, console, setTimeout, clearTimeout */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: these files load packages with require() */
const assert = require('node:assert/strict');

/** Rejects with a message naming `what` unless `promise` settles within `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runCheck(name, format, load, resolve) {
  const started = Date.now();
  const check = require(`./checks/${name}.cjs`);
  const watchdog = setTimeout(() => {
    console.error(`smoke: ${name} (${format}) still running after 30 s`);
    process.exit(1);
  }, 30_000);
  watchdog.unref();
  const clientNode = require('@kubernetes/client-node/package.json').version;
  const pkg = `@rxinformer/${name}`;
  try {
    const modules = {};
    for (const id of check.modules) modules[id] = await load(id);
    const entry = resolve(pkg).replace(/^.*node_modules\//, '');
    const version = require(`${pkg}/package.json`).version;
    await check.run(modules, { assert, within });
    const ms = Date.now() - started;
    console.log(
      `smoke: ${pkg}@${version} ${format} ok (node ${process.version}, client-node ${clientNode}, ${entry}, ${ms} ms)`,
    );
  } catch (error) {
    console.error(`smoke: ${pkg} ${format} FAILED (node ${process.version}, client-node ${clientNode})`);
    console.error(error);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
  }
}

module.exports = { runCheck };
