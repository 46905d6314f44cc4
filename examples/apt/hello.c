#include <stdio.h>

int main(void) {
    puts("hello from a cachefront-built image");
    return 0;
}
