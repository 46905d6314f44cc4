#include <stdio.h>

#include "wordstat.h"

void print_counts(const struct counts *counts) {
    printf("%zu lines, %zu words, %zu bytes\n", counts->lines, counts->words, counts->bytes);
}
