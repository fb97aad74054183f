#include <stdio.h>
#include "sum.h"

int main(void) {
    int xs[] = {4, 5, 6};
    int got = sum(xs, 3);
    if (got != 15) {
        printf("FAIL: sum({4, 5, 6}) = %d, expected 15\n", got);
        return 1;
    }
    printf("ok\n");
    return 0;
}
