#include <stdio.h>
#include "sb.h"

/* Prints "fruit: apple pear plum" built with the string buffer. */
int main(void) {
    const char *items[] = {"apple", "pear", "plum"};
    struct sb s;
    sb_init(&s);
    sb_append(&s, "fruit:");
    for (int i = 0; i < 3; i++) {
        sb_append(&s, " ");
        sb_append(&s, items[i]);
    }
    printf("%s\n", s.buf);
    sb_free(&s);
    return 0;
}
