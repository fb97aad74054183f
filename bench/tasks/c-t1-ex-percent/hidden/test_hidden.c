#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "pct.h"
static int near(double a, double b) { return fabs(a - b) < 1e-9; }
int main(void) {
    CHECK(near(percent(1, 4), 25.0));
    CHECK(near(percent(3, 4), 75.0));
    CHECK(near(percent(4, 4), 100.0));
    CHECK(near(percent(1, 3), 100.0 / 3.0));
    CHECK(near(percent(0, 5), 0.0));
    CHECK(near(percent(3, 2), 150.0));
    CHECK(near(percent(-1, 8), -12.5));
    return failures ? 1 : 0;
}
