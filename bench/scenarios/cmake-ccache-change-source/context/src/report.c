#include "logstat/report.h"

#include <stdlib.h>

#include "logstat/percentile.h"
#include "logstat/timefmt.h"

static int compare_busiest(const void *left, const void *right) {
    const hashmap_entry *a = *(const hashmap_entry *const *)left;
    const hashmap_entry *b = *(const hashmap_entry *const *)right;
    if (a->count != b->count) {
        return a->count < b->count ? 1 : -1;
    }
    return (a->bytes < b->bytes) - (a->bytes > b->bytes);
}

int render_report(const log_stats *stats, size_t route_limit, strbuf *output) {
    char first[32], last[32];
    format_iso8601(stats->first_seconds, first);
    format_iso8601(stats->last_seconds, last);
    strbuf_printf(output, "%llu requests from %s to %s, %llu server errors\n", (unsigned long long)stats->records,
                  first, last, (unsigned long long)stats->errors);
    for (int class_index = 1; class_index <= 5; class_index++) {
        strbuf_printf(output, "  %dxx: %llu\n", class_index, (unsigned long long)stats->status_classes[class_index]);
    }

    const hashmap_entry **routes = malloc(stats->routes.size * sizeof *routes + 1);
    if (routes == NULL) {
        return -1;
    }
    size_t route_count = 0;
    for (size_t index = 0; index < stats->routes.capacity; index++) {
        if (stats->routes.entries[index].key != NULL) {
            routes[route_count++] = &stats->routes.entries[index];
        }
    }
    qsort(routes, route_count, sizeof *routes, compare_busiest);

    static const double ranks[] = {50.0, 95.0, 99.0};
    strbuf_printf(output, "%-40s %10s %12s %9s %9s %9s\n", "route", "requests", "bytes", "p50 ms", "p95 ms", "p99 ms");
    for (size_t index = 0; index < route_count && index < route_limit; index++) {
        const hashmap_entry *route = routes[index];
        double results[3];
        if (percentiles(route->samples, route->sample_count, ranks, results, 3) != 0) {
            free(routes);
            return -1;
        }
        strbuf_printf(output, "%-40.40s %10llu %12llu %9.1f %9.1f %9.1f\n", route->key,
                      (unsigned long long)route->count, (unsigned long long)route->bytes, results[0], results[1],
                      results[2]);
    }
    free(routes);
    return 0;
}
