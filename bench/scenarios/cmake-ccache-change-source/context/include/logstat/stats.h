/* Aggregates parsed records per "METHOD path" route and overall. */
#ifndef LOGSTAT_STATS_H
#define LOGSTAT_STATS_H
#include <stdint.h>

#include "logstat/arena.h"
#include "logstat/hashmap.h"
#include "logstat/parse.h"

typedef struct {
    arena strings;
    hashmap routes;
    uint64_t records;
    uint64_t errors;
    uint64_t status_classes[6];
    int64_t first_seconds;
    int64_t last_seconds;
} log_stats;

int stats_init(log_stats *self);
int stats_add(log_stats *self, const log_record *record);
void stats_free(log_stats *self);

#endif
