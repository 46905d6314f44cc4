/* Growable byte string. */
#ifndef LOGSTAT_STRBUF_H
#define LOGSTAT_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
} strbuf;

void strbuf_init(strbuf *self);
int strbuf_append(strbuf *self, const char *text, size_t length);
int strbuf_printf(strbuf *self, const char *format, ...);
void strbuf_clear(strbuf *self);
void strbuf_free(strbuf *self);

#endif
