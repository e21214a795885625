#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's ESM loader: `npx mdlab` works after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
