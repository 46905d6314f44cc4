#include "logstat/parse.h"

#include <stdlib.h>
#include <string.h>

#include "logstat/timefmt.h"

static size_t skip_spaces(const char *line, size_t length, size_t position) {
    while (position < length && (line[position] == ' ' || line[position] == '\t')) {
        position++;
    }
    return position;
}

static text_span next_field(const char *line, size_t length, size_t *position) {
    size_t start = skip_spaces(line, length, *position);
    size_t end = start;
    while (end < length && line[end] != ' ' && line[end] != '\t' && line[end] != '\n' && line[end] != '\r') {
        end++;
    }
    *position = end;
    text_span span = {line + start, end - start};
    return span;
}

static int parse_unsigned(text_span span, uint64_t *value) {
    if (span.length == 0 || span.length > 19) {
        return -1;
    }
    uint64_t result = 0;
    for (size_t index = 0; index < span.length; index++) {
        char digit = span.start[index];
        if (digit < '0' || digit > '9') {
            return -1;
        }
        result = result * 10u + (uint64_t)(digit - '0');
    }
    *value = result;
    return 0;
}

static int parse_decimal(text_span span, double *value) {
    char buffer[32];
    if (span.length == 0 || span.length >= sizeof buffer) {
        return -1;
    }
    memcpy(buffer, span.start, span.length);
    buffer[span.length] = '\0';
    char *end = NULL;
    double result = strtod(buffer, &end);
    if (end != buffer + span.length || result < 0) {
        return -1;
    }
    *value = result;
    return 0;
}

int parse_log_line(const char *line, size_t length, log_record *record) {
    size_t position = 0;
    text_span time_field = next_field(line, length, &position);
    if (parse_iso8601(time_field.start, time_field.length, &record->epoch_seconds) != 0) {
        return (int)(time_field.start - line) + 1;
    }
    record->method = next_field(line, length, &position);
    record->path = next_field(line, length, &position);
    if (record->method.length == 0 || record->path.length == 0 || record->path.start[0] != '/') {
        return (int)(record->path.start - line) + 1;
    }
    text_span status_field = next_field(line, length, &position);
    uint64_t status = 0;
    if (parse_unsigned(status_field, &status) != 0 || status < 100 || status > 599) {
        return (int)(status_field.start - line) + 1;
    }
    record->status = (int)status;
    text_span bytes_field = next_field(line, length, &position);
    if (parse_unsigned(bytes_field, &record->bytes) != 0) {
        return (int)(bytes_field.start - line) + 1;
    }
    text_span duration_field = next_field(line, length, &position);
    if (parse_decimal(duration_field, &record->milliseconds) != 0) {
        return (int)(duration_field.start - line) + 1;
    }
    return 0;
}
