/* allocbench: the --check gate. Runs the smoke suite (glibc, segalloc and
 * the peers found), then compares with results/baseline.csv:
 *   time_vs_glibc, time_vs_best_peer   segalloc's median time over glibc's,
 *                                      and over the best of jemalloc,
 *                                      tcmalloc and mimalloc (same run)
 *   rss_vs_glibc, rss_vs_best_peer     the same for peak RSS
 *   instructions                       callgrind count of each "callgrind"
 *                                      entry under segalloc
 *   instructions_glibc                 the same under glibc (reference only)
 * Prints baseline / now / verdict per metric; exit 1 on a regression. */
#ifndef AB_CHECK_H
#define AB_CHECK_H

#include "baseline.h"
#include "cli.h"
#include "summary.h"

typedef enum {
  AB_VERDICT_OK, AB_VERDICT_BETTER, AB_VERDICT_NEW, AB_VERDICT_INFO, AB_VERDICT_SKIPPED,
  AB_VERDICT_REGRESSION, AB_VERDICT_MISSING
} ab_verdict_t;

/* Same-run ratios of segalloc per workload case, from a summary. */
void ab_check_ratios(const ab_summary_t *s, ab_metrics_t *now);
/* The verdict for one baseline metric (now NULL: not measured this time). */
ab_verdict_t ab_check_verdict(const ab_metric_t *base, const ab_metric_t *now, bool have_peers);
bool ab_verdict_fails(ab_verdict_t v);
const char *ab_verdict_name(ab_verdict_t v);

/* The whole --check (and --update-baseline); returns the exit code. */
int ab_check_main(const ab_options_t *opt);

#endif
