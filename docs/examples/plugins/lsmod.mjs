// A third-party ramparse plugin: `lsmod` from a dump. Load it with
//   ramparse --plugin-dir docs/examples/plugins --lsmod vmcore --vmlinux vmlinux
// It only uses what the plugin context hands it (ctx.kernel, ctx.out), so it imports nothing.

/** @type {import('../../../core/plugin/api.js').Plugin} */
const lsmod = {
  apiVersion: 1,
  name: 'lsmod',
  flag: 'lsmod',
  description: 'loaded modules like lsmod: name, size, refcount, state',
  stdoutByDefault: true,
  requires: {
    symbols: ['modules'],
    members: [
      ['struct module', 'list'],
      ['struct module', 'name'],
      ['struct module', 'state'],
    ],
  },
  run(ctx) {
    const k = ctx.kernel;
    const rows = ctx.out.table('lsmod', [
      { name: 'Module', width: -20 },
      { name: 'Size', width: 8 },
      { name: 'Used', width: 5 },
      { name: 'State', width: -10 },
    ], true);
    const states = ['Live', 'Coming', 'Going', 'Unformed'];
    for (const addr of k.listForEach(k.symbol('modules'), 'struct module', 'list')) {
      const mod = k.object('struct module', addr);
      // Module memory moved from core_layout (≤6.3) to mem[] (6.4+): sum whichever exists.
      let size = 0;
      if (mod.has('mem')) {
        const n = k.types.complete(mod.member('mem').type).length;
        for (let i = 0; i < n; i++) size += mod.num(`mem[${i}].size`);
      } else {
        size = mod.num('core_layout.size') + (mod.has('init_layout') ? mod.num('init_layout.size') : 0);
      }
      const refs = mod.has('refcnt') ? mod.num('refcnt.counter') - 1 : 0;
      rows.add([mod.str('name'), size, refs, states[mod.num('state')] ?? String(mod.num('state'))]);
    }
    rows.end();
  },
};

export default lsmod;
