#include <stdio.h>
#include "temps.h"

int main(void) {
    double readings[] = {21.5, 22.0, 19.5, 23.0};
    printf("average: %.2f\n", average(readings, 4));
    return 0;
}
