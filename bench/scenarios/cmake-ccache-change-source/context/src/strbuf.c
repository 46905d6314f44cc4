#include "logstat/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *self) {
    self->data = NULL;
    self->length = 0;
    self->capacity = 0;
}

static int strbuf_reserve(strbuf *self, size_t extra) {
    size_t needed = self->length + extra + 1;
    if (needed <= self->capacity) {
        return 0;
    }
    size_t capacity = self->capacity ? self->capacity : 64;
    while (capacity < needed) {
        capacity *= 2;
    }
    char *data = realloc(self->data, capacity);
    if (data == NULL) {
        return -1;
    }
    self->data = data;
    self->capacity = capacity;
    return 0;
}

int strbuf_append(strbuf *self, const char *text, size_t length) {
    if (strbuf_reserve(self, length) != 0) {
        return -1;
    }
    memcpy(self->data + self->length, text, length);
    self->length += length;
    self->data[self->length] = '\0';
    return 0;
}

int strbuf_printf(strbuf *self, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    va_list copy;
    va_copy(copy, arguments);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed < 0 || strbuf_reserve(self, (size_t)needed) != 0) {
        va_end(arguments);
        return -1;
    }
    vsnprintf(self->data + self->length, (size_t)needed + 1, format, arguments);
    va_end(arguments);
    self->length += (size_t)needed;
    return 0;
}

void strbuf_clear(strbuf *self) {
    self->length = 0;
    if (self->data != NULL) {
        self->data[0] = '\0';
    }
}

void strbuf_free(strbuf *self) {
    free(self->data);
    strbuf_init(self);
}
