/* Pages of populous 4 KiB-multiple classes: after PAGES_POPULOUS pages of
 * 64 KiB blocks, new pages are two huge pages long, start on a 2 MiB
 * boundary and are advised MADV_HUGEPAGE (the kernel's VmFlags show "hg");
 * the advice is withdrawn when the page goes ("nh"). A 2 MiB region is
 * advised when the first block reaches into it, and a class that shares
 * the padded pages with others keeps ordinary pages. With
 * SEGALLOC_HUGEPAGES=0 the same pattern makes ordinary 17-slice pages. */
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "unit_test.h"

#define BLOCKS 512 /* 16 pages of 15 blocks, then huge pages of 63 */

/* The VmFlags line of the mapping that holds p, or "" when /proc says nothing. */
static void vm_flags_of(const void *p, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = fopen("/proc/self/smaps", "r");
  if (f == NULL) return;
  char line[512];
  bool inside = false;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
    } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
      snprintf(out, cap, "%s", line + 8);
      break;
    }
  }
  fclose(f);
}

static bool has_flag(const char *flags, const char *flag) {
  size_t n = strlen(flag);
  for (const char *c = flags; (c = strstr(c, flag)) != NULL; c += n)
    if ((c == flags || c[-1] == ' ') && (c[n] == ' ' || c[n] == '\n' || c[n] == 0)) return true;
  return false;
}

static page_t *page_holding(void *p) { return page_of(segment_of(p), p); }

static void check_populous_pages(bool huge) {
  static void *blocks[BLOCKS];
  for (int i = 0; i < BLOCKS; i++) blocks[i] = sa_malloc(65536);
  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants after %d x 64 KiB", BLOCKS);
  page_t *first = page_holding(blocks[0]), *last = page_holding(blocks[BLOCKS - 1]);
  segment_t *s = segment_of(blocks[BLOCKS - 1]);
  size_t idx = (size_t)(last - s->slices);
  EXPECT(first->slice_count == 16 && first->reserved == 15 && !first->is_huge,
         "the first pages hold 15 blocks in 16 slices: %u slices, %u blocks, huge %d", first->slice_count,
         first->reserved, first->is_huge);
  if (huge) {
    EXPECT(last->is_huge && last->slice_count == 64 && last->reserved == 63 && idx % 32 == 0,
           "a populous class gets 2 MiB-aligned pages of 64 slices: huge %d, %u slices, %u blocks, slice %zu",
           last->is_huge, last->slice_count, last->reserved, idx);
  } else {
    EXPECT(!last->is_huge && last->slice_count == 16, "SEGALLOC_HUGEPAGES=0 keeps 16-slice pages: %u slices",
           last->slice_count);
  }
  char flags[256];
  uint8_t *span = (uint8_t *)s + (idx << SLICE_SHIFT);
  vm_flags_of(span, flags, sizeof flags);
  if (huge && flags[0] != 0)
    EXPECT(has_flag(flags, "hg"), "the page's mapping is advised MADV_HUGEPAGE: VmFlags%s", flags);
  if (huge) {
    /* 512 - 16 x 15 = 272 blocks: four whole huge pages of 63 and 20 blocks
     * on the last, which reach only into its first 2 MiB region. */
    EXPECT(page_live(last) == 20 && last->huge_advised == 1, "20 blocks advise one 2 MiB region: %u blocks, %u regions",
           page_live(last), last->huge_advised);
    vm_flags_of(span + ((size_t)2 << 20), flags, sizeof flags);
    if (flags[0] != 0) EXPECT(!has_flag(flags, "hg"), "the region no block reached is not advised: VmFlags%s", flags);
  }
  if (!huge) EXPECT(!has_flag(flags, "hg"), "no MADV_HUGEPAGE without the option: VmFlags%s", flags);

  /* Freeing every block of the last page frees the page: advice withdrawn. */
  for (int i = BLOCKS - 1; i >= 0; i--)
    if (page_holding(blocks[i]) == last) {
      sa_free(blocks[i]);
      blocks[i] = NULL;
    }
  sa_collect(true);
  vm_flags_of(span, flags, sizeof flags);
  if (huge && flags[0] != 0)
    EXPECT(!has_flag(flags, "hg"), "a freed huge page is no longer advised: VmFlags%s", flags);
  for (int i = 0; i < BLOCKS; i++) sa_free(blocks[i]);
  sa_collect(true);
  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants after the frees");
}

/* Two padded classes of equal count: neither holds 3/4 of the pages, so
 * neither gets huge pages however populous (page_class_dominant). */
static void check_shared_classes(void) {
  static void *blocks[2 * BLOCKS];
  for (int i = 0; i < 2 * BLOCKS; i++) blocks[i] = sa_malloc(i % 2 ? 65536 : 49152);
  page_t *last64 = page_holding(blocks[2 * BLOCKS - 1]), *last48 = page_holding(blocks[2 * BLOCKS - 2]);
  EXPECT(!last64->is_huge && !last48->is_huge && last64->slice_count == 16,
         "classes that share the memory keep ordinary pages: huge %d/%d, %u slices", last64->is_huge,
         last48->is_huge, last64->slice_count);
  for (int i = 0; i < 2 * BLOCKS; i++) sa_free(blocks[i]);
  sa_collect(true);
}

int main(void) {
  check_populous_pages(true);
  check_shared_classes();
  sa_option_set(SA_OPTION_HUGEPAGES, 0);
  check_populous_pages(false);
  UNIT_DONE("unit_hugepages");
}
