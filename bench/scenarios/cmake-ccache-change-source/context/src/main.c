/* logstat: summarizes access logs read from files or stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logstat/parse.h"
#include "logstat/report.h"
#include "logstat/stats.h"
#include "logstat/strbuf.h"

static int consume(FILE *stream, const char *name, log_stats *stats) {
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    long line_number = 0;
    int rejected = 0;
    while ((length = getline(&line, &capacity, stream)) != -1) {
        line_number++;
        if (length <= 1) {
            continue;
        }
        log_record record;
        int column = parse_log_line(line, (size_t)length, &record);
        if (column != 0) {
            fprintf(stderr, "%s:%ld:%d: cannot parse\n", name, line_number, column);
            rejected++;
            continue;
        }
        if (stats_add(stats, &record) != 0) {
            fprintf(stderr, "%s:%ld: out of memory or route too long\n", name, line_number);
            rejected++;
        }
    }
    free(line);
    return rejected;
}

int main(int argc, char **argv) {
    size_t route_limit = 20;
    log_stats stats;
    if (stats_init(&stats) != 0) {
        fputs("out of memory\n", stderr);
        return 2;
    }
    int rejected = 0;
    int first_file = 1;
    if (argc > 2 && strcmp(argv[1], "--top") == 0) {
        route_limit = (size_t)strtoul(argv[2], NULL, 10);
        first_file = 3;
    }
    if (first_file >= argc) {
        rejected += consume(stdin, "-", &stats);
    }
    for (int index = first_file; index < argc; index++) {
        FILE *stream = fopen(argv[index], "r");
        if (stream == NULL) {
            perror(argv[index]);
            rejected++;
            continue;
        }
        rejected += consume(stream, argv[index], &stats);
        fclose(stream);
    }
    strbuf output;
    strbuf_init(&output);
    if (render_report(&stats, route_limit, &output) != 0) {
        fputs("out of memory\n", stderr);
        return 2;
    }
    fwrite(output.data, 1, output.length, stdout);
    strbuf_free(&output);
    stats_free(&stats);
    return rejected ? 1 : 0;
}
