#!/usr/bin/env node
import { cli } from './main.js';

await cli(process.argv.slice(2));
