/* Prints the Adler-32 checksum of each file named on the command line (or of stdin). */
#include <stdint.h>
#include <stdio.h>

static uint32_t adler32_stream(FILE *stream) {
    uint32_t low = 1, high = 0;
    int byte;
    while ((byte = fgetc(stream)) != EOF) {
        low = (low + (uint32_t)byte) % 65521u;
        high = (high + low) % 65521u;
    }
    return (high << 16) | low;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("%08x  -\n", adler32_stream(stdin));
        return 0;
    }
    int status = 0;
    for (int index = 1; index < argc; index++) {
        FILE *stream = fopen(argv[index], "rb");
        if (stream == NULL) {
            perror(argv[index]);
            status = 1;
            continue;
        }
        printf("%08x  %s\n", adler32_stream(stream), argv[index]);
        fclose(stream);
    }
    return status;
}
