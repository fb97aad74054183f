package words

// ReverseWords returns the words of s in reverse order, joined by single spaces.
func ReverseWords(s string) string {
	panic("not implemented")
}

// CapitalizeWords upper-cases the first letter of every word.
func CapitalizeWords(s string) string {
	panic("not implemented")
}
