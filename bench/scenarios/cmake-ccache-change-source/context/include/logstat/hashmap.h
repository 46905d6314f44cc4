/* Open-addressing map from strings (owned by an arena) to request counters. */
#ifndef LOGSTAT_HASHMAP_H
#define LOGSTAT_HASHMAP_H
#include <stddef.h>
#include <stdint.h>

#include "logstat/arena.h"

typedef struct {
    const char *key;
    uint64_t count;
    uint64_t bytes;
    double total_milliseconds;
    double *samples;
    size_t sample_count;
    size_t sample_capacity;
} hashmap_entry;

typedef struct {
    hashmap_entry *entries;
    size_t capacity;
    size_t size;
    arena *strings;
} hashmap;

int hashmap_init(hashmap *self, arena *strings);
hashmap_entry *hashmap_upsert(hashmap *self, const char *key, size_t key_length);
void hashmap_free(hashmap *self);

#endif
