#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sb.h"

void sb_init(struct sb *s) {
    s->cap = 16;
    s->len = 0;
    s->buf = malloc(s->cap);
    s->buf[0] = '\0';
}

void sb_append(struct sb *s, const char *text) {
    size_t n = strlen(text);
    while (s->len + n + 1 > s->cap) {
        s->cap *= 2;
        s->buf = realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, text, n + 1);
    s->len += n;
}

void sb_append_int(struct sb *s, long n) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%ld", n);
    sb_append(s, tmp);
}

void sb_append_sep(struct sb *s, const char *sep, const char *text) {
    if (s->len > 0) sb_append(s, sep);
    sb_append(s, text);
}

void sb_free(struct sb *s) {
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}
