#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "temps.h"
int main(void) {
    double a[] = {21.5, 22.0, 19.5, 23.0};
    double b[] = {1.25};
    CHECK(average(a, 4) == 21.5);
    CHECK(average(b, 1) == 1.25);
    CHECK(average(a, 0) == 0.0);
    return failures ? 1 : 0;
}
