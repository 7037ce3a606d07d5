/* Allocator name resolution against a fake library tree. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocators.h"
#include "testing.h"

typedef struct tree_s {
  char *root, *debian, *local, *seg, *not_elf;
} tree_t;

static char *touch(const char *dir, const char *name, const char *content) {
  char *path = ab_xasprintf("%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(content, f);
    fclose(f);
  }
  return path;
}

/* debian/ is searched before local/, like /usr/lib/<multiarch> before /usr/local/lib. */
static tree_t make_tree(const char *tmp) {
  tree_t t = {.root = ab_xasprintf("%s/alloc-tree", tmp)};
  t.debian = ab_xasprintf("%s/debian", t.root);
  t.local = ab_xasprintf("%s/local", t.root);
  mkdir(t.root, 0777);
  mkdir(t.debian, 0777);
  mkdir(t.local, 0777);
  /* jemalloc in both folders: the first folder wins. */
  free(touch(t.debian, "libjemalloc.so.2", "\177ELF"));
  free(touch(t.local, "libjemalloc.so.2", "\177ELF"));
  /* tcmalloc: the full build in the first folder, the minimal one later:
   * the minimal build is preferred wherever it is. */
  free(touch(t.debian, "libtcmalloc.so.4", "\177ELF"));
  free(touch(t.local, "libtcmalloc_minimal.so.4", "\177ELF"));
  /* mimalloc only under an unusual version: found by the glob. */
  free(touch(t.local, "libmimalloc.so.2.9", "\177ELF"));
  t.seg = touch(t.local, "libsegalloc.so", "\177ELF");
  t.not_elf = touch(t.local, "notalib.so", "hello");
  return t;
}

static void expect_path(const ab_alloc_env_t *env, const char *name, const char *dir,
                        const char *file) {
  ab_allocator_t a;
  ab_err_t err;
  EXPECT(ab_alloc_resolve(name, env, &a, &err) == 0);
  char *want = ab_xasprintf("%s/%s", dir, file);
  EXPECT_STR(a.path, want);
  free(want);
  ab_allocator_free(&a);
}

static void test_known(const tree_t *t, const ab_alloc_env_t *env) {
  ab_allocator_t a;
  ab_err_t err;
  EXPECT(ab_alloc_resolve("glibc", env, &a, &err) == 0 && a.path && !*a.path);
  ab_allocator_free(&a);
  expect_path(env, "jemalloc", t->debian, "libjemalloc.so.2");
  expect_path(env, "tcmalloc", t->local, "libtcmalloc_minimal.so.4");
  expect_path(env, "mimalloc", t->local, "libmimalloc.so.2.9");
  expect_path(env, "segalloc", t->local, "libsegalloc.so");
  /* A known allocator that is not installed: path NULL, with advice. */
  const char *empty_dirs[] = {t->root, NULL};
  ab_alloc_env_t bare = {.search_dirs = empty_dirs, .segalloc_path = "/no/libsegalloc.so"};
  EXPECT(ab_alloc_resolve("jemalloc", &bare, &a, &err) == 0 && a.path == NULL);
  EXPECT(a.looked && strstr(a.looked, "libjemalloc2"));
  ab_allocator_free(&a);
  EXPECT(ab_alloc_resolve("segalloc", &bare, &a, &err) == 0 && a.path == NULL);
  EXPECT(a.looked && strstr(a.looked, "--segalloc"));
  ab_allocator_free(&a);
}

static void test_named_paths(const tree_t *t, const ab_alloc_env_t *env) {
  ab_allocator_t a;
  ab_err_t err;
  char *spec = ab_xasprintf("mine=%s", t->seg);
  EXPECT(ab_alloc_resolve(spec, env, &a, &err) == 0);
  EXPECT_STR(a.name, "mine");
  EXPECT_STR(a.path, t->seg);
  ab_allocator_free(&a);
  free(spec);
  spec = ab_xasprintf("odd=%s", t->not_elf);
  EXPECT_ERR(ab_alloc_resolve(spec, env, &a, &err), err, "not a shared library");
  free(spec);
  EXPECT_ERR(ab_alloc_resolve("gone=/no/such/lib.so", env, &a, &err), err, "/no/such/lib.so");
  EXPECT_ERR(ab_alloc_resolve("glibc=/lib/x.so", env, &a, &err), err, "takes no path");
  EXPECT_ERR(ab_alloc_resolve("hoard", env, &a, &err), err, "unknown allocator 'hoard'");
  EXPECT_ERR(ab_alloc_resolve("bad name=/x", env, &a, &err), err, "bad allocator name");
}

/* name=base+VAR=value: a known allocator or a path, with settings for its
 * runs; a '+' that does not start VAR= stays in the path or the value. */
static void test_variants(const tree_t *t, const ab_alloc_env_t *env) {
  ab_allocator_t a;
  ab_err_t err;
  EXPECT(ab_alloc_resolve("seg-d0=segalloc+SEGALLOC_PURGE_DELAY=0+SEGALLOC_SECURE=1", env, &a,
                          &err) == 0);
  EXPECT_STR(a.name, "seg-d0");
  EXPECT_STR(a.path, t->seg);
  EXPECT(a.env.n == 2);
  if (a.env.n == 2) {
    EXPECT_STR(a.env.v[0], "SEGALLOC_PURGE_DELAY=0");
    EXPECT_STR(a.env.v[1], "SEGALLOC_SECURE=1");
  }
  ab_allocator_free(&a);
  EXPECT(ab_alloc_resolve("g1=glibc+GLIBC_TUNABLES=glibc.malloc.arena_max=1+x", env, &a, &err) == 0);
  EXPECT(a.path && !*a.path && a.env.n == 1);
  if (a.env.n == 1) EXPECT_STR(a.env.v[0], "GLIBC_TUNABLES=glibc.malloc.arena_max=1+x");
  ab_allocator_free(&a);
  /* A known allocator under another name, no settings. */
  EXPECT(ab_alloc_resolve("je=jemalloc", env, &a, &err) == 0);
  EXPECT_STR(a.name, "je");
  EXPECT(a.path && strstr(a.path, "debian/libjemalloc.so.2") && a.env.n == 0);
  ab_allocator_free(&a);
  /* A '+' inside a path. */
  char *dir = ab_xasprintf("%s/c++", t->root);
  mkdir(dir, 0777);
  char *lib = touch(dir, "libx.so", "\177ELF");
  char *spec = ab_xasprintf("x=%s+MALLOC_CONF=narenas:1", lib);
  EXPECT(ab_alloc_resolve(spec, env, &a, &err) == 0);
  EXPECT_STR(a.path, lib);
  EXPECT(a.env.n == 1);
  ab_allocator_free(&a);
  /* The run's environment: the allocator's settings win over the entry's. */
  EXPECT(ab_alloc_resolve("v=glibc+A=1", env, &a, &err) == 0);
  ab_strv_t entry = {0}, run = {0};
  ab_strv_push(&entry, "A=0");
  ab_strv_push(&entry, "B=2");
  ab_alloc_run_env(&a, &entry, &run);
  EXPECT(run.n == 2);
  if (run.n == 2) {
    EXPECT_STR(run.v[0], "B=2");
    EXPECT_STR(run.v[1], "A=1");
  }
  ab_strv_free(&entry);
  ab_strv_free(&run);
  ab_allocator_free(&a);
  /* A comma inside a value stays when what follows it is no allocator name. */
  ab_allocators_t list;
  EXPECT(ab_alloc_select("je=jemalloc+MALLOC_CONF=narenas:1,tcache:false,glibc", true, env, &list,
                         &err) == 0);
  EXPECT(list.n == 2 && list.v[0].env.n == 1);
  if (list.n == 2 && list.v[0].env.n == 1) {
    EXPECT_STR(list.v[0].env.v[0], "MALLOC_CONF=narenas:1,tcache:false");
    EXPECT_STR(list.v[1].name, "glibc");
  }
  ab_allocators_free(&list);
  EXPECT_ERR(ab_alloc_resolve("v=", env, &a, &err), err, "nothing after '='");
  EXPECT_ERR(ab_alloc_resolve("v=hoard+X=1", env, &a, &err), err, "unknown allocator 'hoard'");
  EXPECT_ERR(ab_alloc_resolve("v=/no/lib.so+X=1", env, &a, &err), err, "cannot read /no/lib.so");
  free(spec);
  free(lib);
  free(dir);
}

static void test_lists(const tree_t *t, const ab_alloc_env_t *env) {
  const char *empty_dirs[] = {t->root, NULL};
  ab_alloc_env_t bare = {.search_dirs = empty_dirs, .segalloc_path = "/no/libsegalloc.so"};
  ab_allocators_t list;
  ab_err_t err;
  /* Missing ones are skipped by default, fatal when named. */
  EXPECT(ab_alloc_select("glibc,jemalloc,segalloc", false, &bare, &list, &err) == 0);
  EXPECT(list.n == 1 && !strcmp(list.v[0].name, "glibc"));
  ab_allocators_free(&list);
  EXPECT_ERR(ab_alloc_select("glibc,jemalloc", true, &bare, &list, &err), err,
             "allocator jemalloc not found");
  EXPECT_ERR(ab_alloc_select("jemalloc", false, &bare, &list, &err), err, "no allocator left");
  EXPECT_ERR(ab_alloc_select("glibc,glibc", true, env, &list, &err), err, "listed twice");
  EXPECT_ERR(ab_alloc_select("glibc,", true, env, &list, &err), err, "bad allocator name");
  EXPECT(ab_alloc_select(AB_ALLOC_DEFAULT_LIST, true, env, &list, &err) == 0 && list.n == 5);
  EXPECT(ab_alloc_index(&list, "segalloc") == 4);
  ab_allocators_free(&list);
}

int main(int argc, char **argv) {
  tree_t t = make_tree(argc > 1 ? argv[1] : ".");
  const char *dirs[] = {t.debian, t.local, NULL};
  ab_alloc_env_t env = {.search_dirs = dirs, .segalloc_path = t.seg};
  test_known(&t, &env);
  test_named_paths(&t, &env);
  test_variants(&t, &env);
  test_lists(&t, &env);
  char **strings[] = {&t.root, &t.debian, &t.local, &t.seg, &t.not_elf};
  for (size_t i = 0; i < 5; i++) free(*strings[i]);
  return TEST_RESULT();
}
