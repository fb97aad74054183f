#include <stdio.h>
#include "minmax.h"

int main(void) {
    if (max_int(3, 8) != 8) {
        printf("FAIL: max_int(3, 8) = %d, expected 8\n", max_int(3, 8));
        return 1;
    }
    printf("ok\n");
    return 0;
}
