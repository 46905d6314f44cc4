#include "logstat/percentile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *left, const void *right) {
    double a = *(const double *)left;
    double b = *(const double *)right;
    return (a > b) - (a < b);
}

int percentiles(const double *samples, size_t count, const double *ranks, double *results, size_t rank_count) {
    if (count == 0) {
        for (size_t index = 0; index < rank_count; index++) {
            results[index] = 0.0;
        }
        return 0;
    }
    double *sorted = malloc(count * sizeof(double));
    if (sorted == NULL) {
        return -1;
    }
    memcpy(sorted, samples, count * sizeof(double));
    qsort(sorted, count, sizeof(double), compare_doubles);
    for (size_t index = 0; index < rank_count; index++) {
        double rank = ranks[index] < 0.0 ? 0.0 : ranks[index] > 100.0 ? 100.0 : ranks[index];
        /* Linear interpolation between the closest ranks instead of nearest-rank. */
        double exact = rank / 100.0 * (double)(count - 1);
        size_t below = (size_t)floor(exact);
        size_t above = below + 1 < count ? below + 1 : below;
        results[index] = sorted[below] + (sorted[above] - sorted[below]) * (exact - (double)below);
    }
    free(sorted);
    return 0;
}
