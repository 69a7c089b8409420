#!/usr/bin/env node
import { cli } from './main.js';

// `ramparse … | head` closes the pipe early: stop quietly instead of printing an EPIPE trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

await cli(process.argv.slice(2));
