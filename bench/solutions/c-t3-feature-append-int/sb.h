#ifndef SB_H
#define SB_H
#include <stddef.h>
/* A growable string buffer. */
struct sb {
    char *buf;
    size_t len;
    size_t cap;
};
void sb_init(struct sb *s);
void sb_append(struct sb *s, const char *text);
void sb_append_int(struct sb *s, long n);
void sb_append_sep(struct sb *s, const char *sep, const char *text);
void sb_free(struct sb *s);
#endif
