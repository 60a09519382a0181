#!/usr/bin/env node
'use strict';
// `npx attest …`: runs the TypeScript sources through @swc-node/register, the
// same runtime `npm start` uses (see docs/adr/0003-workspace-and-runtime.md).
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
require('@swc-node/register');
const { run } = require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
