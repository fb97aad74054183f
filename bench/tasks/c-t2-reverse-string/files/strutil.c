#include <string.h>
#include "strutil.h"

void reverse(char *s) {
    /* TODO */
}

int is_palindrome(const char *s) {
    /* TODO */
    return 0;
}
