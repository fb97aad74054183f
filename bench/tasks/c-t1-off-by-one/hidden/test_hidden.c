#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "sum.h"
int main(void) {
    int a[] = {4, 5, 6};
    int b[] = {7};
    int c[] = {-1, 1, -1, 1, 10};
    CHECK(sum(a, 3) == 15);
    CHECK(sum(b, 1) == 7);
    CHECK(sum(c, 5) == 10);
    CHECK(sum(a, 0) == 0);
    return failures ? 1 : 0;
}
