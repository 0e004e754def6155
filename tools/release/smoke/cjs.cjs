// `node cjs.cjs <package>`: the package's check with every module loaded by require(), so Node
// resolves the packages' "require" conditions (dist/index.cjs) and client-node 1.x, which is
// ESM only, through require(esm) (Node >= 20.19).
'use strict';
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: these files load packages with require() */
const { runCheck } = require('./run.cjs');

void runCheck(process.argv[2], 'cjs', (id) => require(id), (id) => require.resolve(id));
