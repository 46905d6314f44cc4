#include "logstat/hashmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *text, size_t length) {
    uint64_t hash = 1469598103934665603ull;
    for (size_t index = 0; index < length; index++) {
        hash ^= (unsigned char)text[index];
        hash *= 1099511628211ull;
    }
    return hash;
}

int hashmap_init(hashmap *self, arena *strings) {
    self->capacity = 64;
    self->size = 0;
    self->strings = strings;
    self->entries = calloc(self->capacity, sizeof(hashmap_entry));
    return self->entries == NULL ? -1 : 0;
}

static hashmap_entry *hashmap_slot(hashmap_entry *entries, size_t capacity, const char *key, size_t key_length) {
    size_t index = (size_t)(fnv1a(key, key_length) & (capacity - 1));
    for (;;) {
        hashmap_entry *entry = &entries[index];
        if (entry->key == NULL || (strncmp(entry->key, key, key_length) == 0 && entry->key[key_length] == '\0')) {
            return entry;
        }
        index = (index + 1) & (capacity - 1);
    }
}

static int hashmap_grow(hashmap *self) {
    size_t capacity = self->capacity * 2;
    hashmap_entry *entries = calloc(capacity, sizeof(hashmap_entry));
    if (entries == NULL) {
        return -1;
    }
    for (size_t index = 0; index < self->capacity; index++) {
        hashmap_entry *old = &self->entries[index];
        if (old->key != NULL) {
            *hashmap_slot(entries, capacity, old->key, strlen(old->key)) = *old;
        }
    }
    free(self->entries);
    self->entries = entries;
    self->capacity = capacity;
    return 0;
}

hashmap_entry *hashmap_upsert(hashmap *self, const char *key, size_t key_length) {
    if ((self->size + 1) * 4 > self->capacity * 3 && hashmap_grow(self) != 0) {
        return NULL;
    }
    hashmap_entry *entry = hashmap_slot(self->entries, self->capacity, key, key_length);
    if (entry->key == NULL) {
        entry->key = arena_strndup(self->strings, key, key_length);
        if (entry->key == NULL) {
            return NULL;
        }
        self->size++;
    }
    return entry;
}

void hashmap_free(hashmap *self) {
    for (size_t index = 0; index < self->capacity; index++) {
        free(self->entries[index].samples);
    }
    free(self->entries);
    self->entries = NULL;
    self->capacity = 0;
    self->size = 0;
}
