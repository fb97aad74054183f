#ifndef STRUTIL_H
#define STRUTIL_H
void reverse(char *s);
int is_palindrome(const char *s);
#endif
