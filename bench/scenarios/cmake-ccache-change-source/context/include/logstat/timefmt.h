/* ISO 8601 UTC timestamps ("2024-03-01T12:00:00Z") to and from Unix seconds. */
#ifndef LOGSTAT_TIMEFMT_H
#define LOGSTAT_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

int parse_iso8601(const char *text, size_t length, int64_t *epoch_seconds);
void format_iso8601(int64_t epoch_seconds, char output[32]);

#endif
