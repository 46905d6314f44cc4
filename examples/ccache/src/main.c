#include <stdio.h>

#include "wordstat.h"

int main(int argc, char **argv) {
    struct counts counts = {0, 0, 0};
    for (int index = 1; index < argc; index++) {
        count_stream(argv[index], &counts);
    }
    print_counts(&counts);
    return 0;
}
