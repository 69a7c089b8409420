#!/usr/bin/env bash
# Regenerates the LZO1X test vectors for test/dump/kdump-pages.test.ts with the reference liblzo2
# encoder (the format makedumpfile writes for -l / DUMP_DH_COMPRESSED_LZO).
#   apt-get install gcc liblzo2-dev zstd && ./make-vectors.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/lzo.c" <<'C'
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* pages.bin: 4 pages of different kinds; writes page<i>.lzo, each page compressed on its own */
int main(void) {
  static unsigned char page[4][4096], out[8192], wrk[LZO1X_1_MEM_COMPRESS];
  unsigned int x = 12345;
  for (int i = 0; i < 4096; i++) page[0][i] = (unsigned char)(i % 7 == 0 ? 'a' + i % 26 : ' ');
  for (int i = 0; i < 4096; i++) { x = x * 1103515245u + 12345u; page[1][i] = (unsigned char)(x >> 16); }
  for (int i = 0; i < 4096; i += 8) { unsigned long long v = 0xffff888000000000ull + (unsigned long long)i * 64; memcpy(&page[2][i], &v, 8); }
  snprintf((char *)page[3], 4096, "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
  if (lzo_init() != LZO_E_OK) return 1;
  FILE *f = fopen("pages.bin", "wb"); fwrite(page, 1, sizeof page, f); fclose(f);
  for (int p = 0; p < 4; p++) {
    lzo_uint n = sizeof out;
    if (lzo1x_1_compress(page[p], 4096, out, &n, wrk) != LZO_E_OK) return 2;
    char name[32]; snprintf(name, sizeof name, "page%d.lzo", p);
    f = fopen(name, "wb"); fwrite(out, 1, n, f); fclose(f);
  }
  return 0;
}
C
gcc -O2 -o "$work/lzo" "$work/lzo.c" -llzo2
"$work/lzo"
for p in 0 1 2 3; do
  dd if=pages.bin of="$work/p$p" bs=4096 skip=$p count=1 status=none
  zstd -q -19 -f "$work/p$p" -o "page$p.zst"
done
ls -l pages.bin page*.lzo page*.zst
