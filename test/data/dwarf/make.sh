#!/bin/bash
# Regenerates the DWARF test objects in this directory from src/*.c (committed, so tests need no
# compiler). Each object is two units (types_a.c, types_b.c) joined with `ld -r`, then given a
# .BTF section by `pahole -J` from the same DWARF: the tests compare our DWARF reader against that
# BTF, and against offsets the sources prove with _Static_assert.
#
# Needs: gcc, binutils, pahole (Debian: dwarves); optional cross compilers
# (gcc-aarch64-linux-gnu, gcc-powerpc64-linux-gnu for a big-endian target). Missing cross
# compilers are skipped with a note; the tests skip objects that are absent.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pahole 1.24 cannot encode _Atomic (DW_TAG_atomic_type, 0x47) and says so for struct atomics;
# those messages are filtered. It also ignores type units, so the *-types objects' BTF is partial
# (the tests use the BTF of the same target's plain object as reference for them).
# -fno-eliminate-unused-debug-types keeps every type even if no variable uses it.
common=(-c -O0 -fdebug-prefix-map="$PWD"=. -fno-eliminate-unused-debug-types -fno-asynchronous-unwind-tables -fno-stack-protector -Isrc)

build() { # name cc ld flags...
	local name=$1 cc=$2 ld=$3
	shift 3
	if ! command -v "$cc" >/dev/null; then
		echo "skip $name: $cc not installed" >&2
		return
	fi
	"$cc" "${common[@]}" "$@" src/types_a.c -o "$tmp/$name-a.o"
	"$cc" "${common[@]}" "$@" src/types_b.c -o "$tmp/$name-b.o"
	"$ld" -r "$tmp/$name-a.o" "$tmp/$name-b.o" -o "$tmp/$name.o"
	pahole -J --btf_gen_floats "$tmp/$name.o" 2> >(grep -v -E "0x47|couldn.t find" >&2)
	cp "$tmp/$name.o" "$out/$name.o"
	echo "built $name.o ($(stat -c %s "$out/$name.o") bytes)"
}

build x86_64-dwarf4 gcc ld -gdwarf-4
build x86_64-dwarf5 gcc ld -gdwarf-5
# DWARF 2: member offsets as DW_OP_plus_uconst blocks, DW_AT_bit_offset bitfields.
build x86_64-dwarf2 gcc ld -gdwarf-2 -gstrict-dwarf
# SHF_COMPRESSED debug sections.
build x86_64-dwarf5-zlib gcc ld -gdwarf-5 -gz=zlib
# 64-bit DWARF format (8-byte offsets, unit_length escape 0xffffffff).
build x86_64-dwarf5-dwarf64 gcc ld -gdwarf-5 -gdwarf64
# Type units: DWARF 4 .debug_types and DWARF 5 DW_UT_type units, referenced by DW_FORM_ref_sig8.
build x86_64-dwarf4-types gcc ld -gdwarf-4 -fdebug-types-section
build x86_64-dwarf5-types gcc ld -gdwarf-5 -fdebug-types-section
# clang: DW_FORM_strx1 names, no DW_AT_sibling (the indexer walks every DIE), signed enum
# values in data forms (sign-extended).
build x86_64-clang-dwarf5 clang ld -gdwarf-5
build x86_64-clang-dwarf4 clang ld -gdwarf-4
build aarch64-dwarf5 aarch64-linux-gnu-gcc aarch64-linux-gnu-ld -gdwarf-5
build ppc64be-dwarf4 powerpc64-linux-gnu-gcc powerpc64-linux-gnu-ld -gdwarf-4
build ppc64be-dwarf5 powerpc64-linux-gnu-gcc powerpc64-linux-gnu-ld -gdwarf-5

# A fully linked object (ET_DYN: no relocations left to apply) for comparison with the ld -r ones.
gcc "${common[@]}" -fPIC -gdwarf-5 src/types_a.c -o "$tmp/so-a.o"
gcc "${common[@]}" -fPIC -gdwarf-5 src/types_b.c -o "$tmp/so-b.o"
gcc -shared -nostdlib "$tmp/so-a.o" "$tmp/so-b.o" -o "$tmp/x86_64-dwarf5-linked.so"
pahole -J --btf_gen_floats "$tmp/x86_64-dwarf5-linked.so" 2> >(grep -v -E "0x47|couldn.t find" >&2)
cp "$tmp/x86_64-dwarf5-linked.so" "$out/"
echo "built x86_64-dwarf5-linked.so"

# An object without DWARF, for the error message.
gcc -c -O0 -g0 src/types_b.c -Isrc -o "$out/x86_64-nodebug.o"
echo "built x86_64-nodebug.o"

