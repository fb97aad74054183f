#include <stdio.h>

/* Usage: ./dist A B   prints how far apart the integers A and B are. */

static int arg(const char *s) {
    int v = 0;
    sscanf(s, "%d", &v);
    return v;
}

int distance(int a, int b) {
    return b - a;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s A B\n", argv[0]);
        return 2;
    }
    printf("%d\n", distance(arg(argv[1]), arg(argv[2])));
    return 0;
}
