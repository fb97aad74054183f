#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "strutil.h"
static int rev_is(const char *in, const char *want) {
    char buf[64];
    strcpy(buf, in);
    reverse(buf);
    if (strcmp(buf, want) != 0) { fprintf(stderr, "reverse(\"%s\") gave \"%s\"\n", in, buf); return 0; }
    return 1;
}
int main(void) {
    CHECK(rev_is("abc", "cba"));
    CHECK(rev_is("", ""));
    CHECK(rev_is("a", "a"));
    CHECK(rev_is("ab", "ba"));
    CHECK(rev_is("hello world", "dlrow olleh"));
    CHECK(is_palindrome("racecar") == 1);
    CHECK(is_palindrome("abba") == 1);
    CHECK(is_palindrome("") == 1);
    CHECK(is_palindrome("abca") == 0);
    CHECK(is_palindrome("Aa") == 0);
    return failures ? 1 : 0;
}
