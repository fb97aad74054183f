#include "strutil.h"

/* Number of times c occurs in the NUL-terminated string s. */
int count_char(const char *s, char c) {
    int n = 0;
    for (int i = 0; s[i] != '\0'; i++) {
        char ch = s[i];
        if (ch == c) {
            n++;
        }
    }
    return n;
}
