/*
 * Test types for the DWARF reader (test/types/dwarf-*.test.ts). The _Static_asserts are the
 * compiler's proof of the offsets the tests expect; they hold on every LP64 target make.sh builds.
 */
#include "common.h"

#define CHECK(type, member, off) _Static_assert(offsetof(type, member) == (off), #type "." #member)

/* A struct page-like nest of anonymous unions and structs. */
struct page_like {
	unsigned long flags;
	union {
		struct {
			struct list_head lru;
			void *mapping;
			unsigned long index;
		};
		struct {
			unsigned long pp_magic;
			void *pp;
		};
		struct {
			unsigned long compound_head;
			unsigned char compound_dtor;
			unsigned char compound_order;
		};
	};
	union {
		unsigned int page_type;
		int mapcount;
	};
	int refcount;
	unsigned long memcg_data;
};
CHECK(struct page_like, flags, 0);
CHECK(struct page_like, lru, 8);
CHECK(struct page_like, mapping, 24);
CHECK(struct page_like, index, 32);
CHECK(struct page_like, pp, 16);
CHECK(struct page_like, compound_order, 17);
CHECK(struct page_like, page_type, 40);
CHECK(struct page_like, refcount, 44);
CHECK(struct page_like, memcg_data, 48);
_Static_assert(sizeof(struct page_like) == 56, "sizeof page_like");

/* Bitfields of several storage types, a signed one, one straddling a 32-bit boundary, a 63-bit one. */
struct bits {
	unsigned char a : 1;
	unsigned char b : 3;
	int c : 7;
	long long d : 40;
	unsigned short e;
	u64 f : 63;
	_Bool g : 1;
	u8 h;
};
CHECK(struct bits, e, 8);
CHECK(struct bits, h, 24);
_Static_assert(sizeof(struct bits) == 32, "sizeof bits");

/* Flexible and zero-length trailing arrays. */
struct flex {
	int n;
	long data[];
};
CHECK(struct flex, data, 8);
_Static_assert(sizeof(struct flex) == 8, "sizeof flex");

struct zero_len {
	int n;
	char pad[0];
};
CHECK(struct zero_len, pad, 4);

/* Multi-dimensional arrays and qualifiers. */
struct multi {
	int grid[3][4];
	char names[2][3][5];
	const volatile int cv;
	int *restrict rp;
	const char *const *strings;
	void (*callback)(int, void *);
	handle_alias_t handles[2];
};
CHECK(struct multi, names, 48);
CHECK(struct multi, cv, 80);
CHECK(struct multi, rp, 88);
CHECK(struct multi, strings, 96);
CHECK(struct multi, callback, 104);
CHECK(struct multi, handles, 112);
_Static_assert(sizeof(struct multi) == 120, "sizeof multi");

/* _Atomic (DW_TAG_atomic_type): pahole 1.24 cannot encode it, so this struct has no BTF twin. */
struct atomics {
	_Atomic int counter;
	_Atomic(struct list_head *) head;
};
CHECK(struct atomics, head, 8);

/* Enums: negative values (signed), a full 32-bit unsigned one, a 64-bit one (GNU C). */
enum signs {
	NEG_BIG = -2147483647 - 1,
	NEG_ONE = -1,
	ZERO = 0,
	POS = 5,
	POS_200 = 200,
};
enum big_unsigned {
	BU_ZERO = 0,
	BU_MAX = 0xffffffffu,
};
enum u64_enum {
	U64_SMALL = 1,
	U64_BIG = 0xfedcba9876543210ULL,
};
enum s64_enum {
	S64_MIN = -9223372036854775807LL - 1,
	S64_MAX = 9223372036854775807LL,
};

/* Uses the forward declaration only: the definition is in types_b.c. */
struct uses_fwd {
	struct fwd_only *p;
	struct list_head node;
	enum signs s;
	enum pageflags_like pf;
};
CHECK(struct uses_fwd, node, 8);
CHECK(struct uses_fwd, s, 24);

/* A named struct defined inside another (C puts its tag at file scope). */
struct outer {
	struct inner_named {
		int y;
		short z;
	} in;
	union {
		long l;
		struct {
			short s1, s2;
		};
	};
	u16 tail;
};
CHECK(struct outer, l, 8);
CHECK(struct outer, s2, 10);
CHECK(struct outer, tail, 16);

struct float_things {
	float f;
	double d;
	_Bool b;
	char c;
	signed char sc;
	unsigned char uc;
};
CHECK(struct float_things, d, 8);
CHECK(struct float_things, uc, 19);

/* Globals: definitions here, one declared here and defined in types_b.c. */
struct page_like global_page;
union handle_parts global_handle;
struct bits global_bits;
struct multi global_multi;
struct atomics global_atomics;
struct flex *global_flex;
struct zero_len global_zero;
struct uses_fwd global_uses;
struct outer global_outer;
struct float_things global_floats;
enum signs global_sign;
enum big_unsigned global_bu;
enum u64_enum global_u64;
enum s64_enum global_s64;
/* Unused typedefs are dropped in type-unit builds even with -fno-eliminate-unused-debug-types. */
s64 global_s64_typedef;
extern int table_b[];
extern struct fwd_only fwd_var;
int (*table_b_ptr)[] = &table_b;
static int file_static_a = 3;
int *use_static_a = &file_static_a;
/* Declared, then defined in the same unit: gcc emits the definition with DW_AT_specification. */
extern unsigned long spec_var;
unsigned long spec_var = 42;
