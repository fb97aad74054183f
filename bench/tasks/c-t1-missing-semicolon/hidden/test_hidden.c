#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "area.h"
int main(void) {
    CHECK(rect_area(2.0, 3.5) == 7.0);
    CHECK(rect_area(0.0, 9.0) == 0.0);
    CHECK(rect_area(1.5, 2.0) == 3.0);
    return failures ? 1 : 0;
}
