#ifndef STRUTIL_H
#define STRUTIL_H
int count_char(const char *s, char c);
#endif
