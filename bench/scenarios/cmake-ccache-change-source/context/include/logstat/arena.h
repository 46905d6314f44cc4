/* Bump allocator: many small allocations, freed all at once. */
#ifndef LOGSTAT_ARENA_H
#define LOGSTAT_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct {
    arena_block *head;
    size_t block_size;
} arena;

void arena_init(arena *self, size_t block_size);
void *arena_alloc(arena *self, size_t size);
char *arena_strndup(arena *self, const char *text, size_t length);
void arena_free(arena *self);

#endif
