#include <stdio.h>
#include "area.h"

int main(void) {
    printf("%.1f\n", rect_area(2.0, 3.5));
    return 0;
}
