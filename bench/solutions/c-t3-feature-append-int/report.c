#include <stdio.h>
#include "sb.h"

/* Prints "fruit: apple pear plum (3 items)" built with the string buffer. */
int main(void) {
    const char *items[] = {"apple", "pear", "plum"};
    struct sb s;
    sb_init(&s);
    sb_append(&s, "fruit:");
    for (int i = 0; i < 3; i++) sb_append_sep(&s, " ", items[i]);
    sb_append(&s, " (");
    sb_append_int(&s, 3);
    sb_append(&s, " items)");
    printf("%s\n", s.buf);
    sb_free(&s);
    return 0;
}
