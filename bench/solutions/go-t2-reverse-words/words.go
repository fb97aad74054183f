package words

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReverseWords returns the words of s in reverse order, joined by single spaces.
func ReverseWords(s string) string {
	f := strings.Fields(s)
	for i, j := 0, len(f)-1; i < j; i, j = i+1, j-1 {
		f[i], f[j] = f[j], f[i]
	}
	return strings.Join(f, " ")
}

// CapitalizeWords upper-cases the first letter of every word.
func CapitalizeWords(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		r, n := utf8.DecodeRuneInString(w)
		f[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(f, " ")
}
