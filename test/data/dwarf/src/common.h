/* Shared by types_a.c and types_b.c: the shapes ramparse's DWARF reader must get right. */
#include <stddef.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
/* a typedef chain, like the kernel's depot_stack_handle_t */
typedef u32 depot_stack_handle_t;
typedef depot_stack_handle_t handle_alias_t;

struct list_head {
	struct list_head *next, *prev;
};

/* Declared here, defined only in types_b.c: types_a.c sees a forward declaration. */
struct fwd_only;

/* include/linux/stackdepot.h (lib/stackdepot.c), 6.1 shape */
union handle_parts {
	depot_stack_handle_t handle;
	struct {
		u32 pool_index_plus_1 : 17;
		u32 offset : 10;
		u32 extra : 5;
	};
};

enum pageflags_like {
	PGL_locked,
	PGL_referenced,
	PGL_uptodate,
	__NR_PGL_FLAGS,
	PGL_alias = PGL_referenced,
};

enum {
	ANON_FIRST = 100,
	ANON_SECOND = 200,
};
