#include "logstat/arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t used;
    size_t capacity;
    unsigned char data[];
};

void arena_init(arena *self, size_t block_size) {
    self->head = NULL;
    self->block_size = block_size < 1024 ? 1024 : block_size;
}

static arena_block *arena_new_block(size_t capacity) {
    arena_block *block = malloc(sizeof(arena_block) + capacity);
    if (block == NULL) {
        return NULL;
    }
    block->next = NULL;
    block->used = 0;
    block->capacity = capacity;
    return block;
}

void *arena_alloc(arena *self, size_t size) {
    size_t aligned = (size + 15u) & ~(size_t)15u;
    if (self->head == NULL || self->head->capacity - self->head->used < aligned) {
        size_t capacity = aligned > self->block_size ? aligned : self->block_size;
        arena_block *block = arena_new_block(capacity);
        if (block == NULL) {
            return NULL;
        }
        block->next = self->head;
        self->head = block;
    }
    void *result = self->head->data + self->head->used;
    self->head->used += aligned;
    return result;
}

char *arena_strndup(arena *self, const char *text, size_t length) {
    char *copy = arena_alloc(self, length + 1);
    if (copy == NULL) {
        return NULL;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

void arena_free(arena *self) {
    arena_block *block = self->head;
    while (block != NULL) {
        arena_block *next = block->next;
        free(block);
        block = next;
    }
    self->head = NULL;
}
