/** The plugins shipped with ramparse, in --help order. */
import type { Plugin } from '../plugin/api.js';
import { infoPlugin } from '../../plugins/info/index.js';
import { psPlugin } from '../../plugins/ps/index.js';

export const builtinPlugins: readonly Plugin[] = [infoPlugin, psPlugin];
