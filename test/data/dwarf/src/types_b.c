/* Second unit: completes struct fwd_only and defines variables types_a.c only declares. */
#include "common.h"

struct fwd_only {
	int a;
	char b[10];
	union handle_parts h;
	struct list_head list;
};
_Static_assert(offsetof(struct fwd_only, h) == 16, "fwd_only.h");
_Static_assert(offsetof(struct fwd_only, list) == 24, "fwd_only.list");
_Static_assert(sizeof(struct fwd_only) == 40, "sizeof fwd_only");

int table_b[7];
struct fwd_only fwd_var;
enum pageflags_like global_pf;
static long file_static_b = 4;
long *use_static_b = &file_static_b;

/* An anonymous enum only this unit has. */
enum {
	B_ONLY_ONE = 1,
	B_ONLY_TWO,
};
int b_only = B_ONLY_TWO + ANON_FIRST;
