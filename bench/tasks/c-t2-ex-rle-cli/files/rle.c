#include <stdio.h>

/* Usage: ./rle TEXT   prints TEXT run-length encoded. */

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEXT\n", argv[0]);
        return 2;
    }
    /* TODO: encode argv[1] */
    return 0;
}
