#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "minmax.h"
int main(void) {
    CHECK(max_int(3, 8) == 8);
    CHECK(max_int(8, 3) == 8);
    CHECK(max_int(-5, -9) == -5);
    CHECK(max_int(2, 2) == 2);
    CHECK(min_int(3, 8) == 3);
    CHECK(min_int(-5, -9) == -9);
    return failures ? 1 : 0;
}
