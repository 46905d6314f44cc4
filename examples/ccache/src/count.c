#include <ctype.h>

#include "wordstat.h"

void count_stream(const char *text, struct counts *counts) {
    int in_word = 0;
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        counts->bytes++;
        if (*cursor == '\n') {
            counts->lines++;
        }
        if (isspace((unsigned char)*cursor)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            counts->words++;
        }
    }
}
