/* Renders aggregated statistics as a text table, busiest routes first. */
#ifndef LOGSTAT_REPORT_H
#define LOGSTAT_REPORT_H
#include <stddef.h>

#include "logstat/stats.h"
#include "logstat/strbuf.h"

int render_report(const log_stats *stats, size_t route_limit, strbuf *output);

#endif
