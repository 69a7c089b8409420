/** The plugins shipped with ramparse, in --help order. */
import type { Plugin } from '../plugin/api.js';
import { infoPlugin } from '../../plugins/info/index.js';
import { pageOwnerPlugin } from '../../plugins/page-owner/index.js';
import { psPlugin } from '../../plugins/ps/index.js';
import { slabinfoPlugin } from '../../plugins/slabinfo/index.js';
import { slabsummaryPlugin } from '../../plugins/slabsummary/index.js';

export const builtinPlugins: readonly Plugin[] = [infoPlugin, psPlugin, pageOwnerPlugin, slabinfoPlugin, slabsummaryPlugin];
