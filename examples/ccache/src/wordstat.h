#ifndef WORDSTAT_H
#define WORDSTAT_H

#include <stddef.h>

struct counts {
    size_t lines;
    size_t words;
    size_t bytes;
};

void count_stream(const char *text, struct counts *counts);
void print_counts(const struct counts *counts);

#endif
