/* Parses access-log lines: "<iso-time> <method> <path> <status> <bytes> <milliseconds>". */
#ifndef LOGSTAT_PARSE_H
#define LOGSTAT_PARSE_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *start;
    size_t length;
} text_span;

typedef struct {
    int64_t epoch_seconds;
    text_span method;
    text_span path;
    int status;
    uint64_t bytes;
    double milliseconds;
} log_record;

/* Returns 0 on success, or the 1-based column where parsing failed. */
int parse_log_line(const char *line, size_t length, log_record *record);

#endif
