#include <stdio.h>

/* Usage: ./rle TEXT   prints TEXT run-length encoded. */

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEXT\n", argv[0]);
        return 2;
    }
    const char *s = argv[1];
    while (*s) {
        char c = *s;
        int n = 0;
        while (*s == c) {
            s++;
            n++;
        }
        printf("%c%d", c, n);
    }
    printf("\n");
    return 0;
}
