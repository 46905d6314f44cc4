/* Percentiles of latency samples (nearest-rank on a sorted copy). */
#ifndef LOGSTAT_PERCENTILE_H
#define LOGSTAT_PERCENTILE_H
#include <stddef.h>

int percentiles(const double *samples, size_t count, const double *ranks, double *results, size_t rank_count);

#endif
