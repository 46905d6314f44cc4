#include "logstat/stats.h"

#include <stdlib.h>
#include <string.h>

int stats_init(log_stats *self) {
    memset(self, 0, sizeof *self);
    arena_init(&self->strings, 64 * 1024);
    return hashmap_init(&self->routes, &self->strings);
}

static int append_sample(hashmap_entry *entry, double milliseconds) {
    if (entry->sample_count == entry->sample_capacity) {
        size_t capacity = entry->sample_capacity ? entry->sample_capacity * 2 : 16;
        double *samples = realloc(entry->samples, capacity * sizeof(double));
        if (samples == NULL) {
            return -1;
        }
        entry->samples = samples;
        entry->sample_capacity = capacity;
    }
    entry->samples[entry->sample_count++] = milliseconds;
    return 0;
}

int stats_add(log_stats *self, const log_record *record) {
    char key[512];
    size_t method_length = record->method.length;
    size_t path_length = record->path.length;
    const char *query = memchr(record->path.start, '?', path_length);
    if (query != NULL) {
        path_length = (size_t)(query - record->path.start);
    }
    if (method_length + 1 + path_length >= sizeof key) {
        return -1;
    }
    memcpy(key, record->method.start, method_length);
    key[method_length] = ' ';
    memcpy(key + method_length + 1, record->path.start, path_length);
    size_t key_length = method_length + 1 + path_length;

    hashmap_entry *entry = hashmap_upsert(&self->routes, key, key_length);
    if (entry == NULL || append_sample(entry, record->milliseconds) != 0) {
        return -1;
    }
    entry->count++;
    entry->bytes += record->bytes;
    entry->total_milliseconds += record->milliseconds;

    if (self->records == 0 || record->epoch_seconds < self->first_seconds) {
        self->first_seconds = record->epoch_seconds;
    }
    if (self->records == 0 || record->epoch_seconds > self->last_seconds) {
        self->last_seconds = record->epoch_seconds;
    }
    self->records++;
    self->status_classes[record->status / 100]++;
    if (record->status >= 500) {
        self->errors++;
    }
    return 0;
}

void stats_free(log_stats *self) {
    hashmap_free(&self->routes);
    arena_free(&self->strings);
}
