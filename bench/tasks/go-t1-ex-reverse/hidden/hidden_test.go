package strs

import "testing"

func TestHiddenReverse(t *testing.T) {
	for _, c := range [][2]string{{"héllo", "olléh"}, {"", ""}, {"a", "a"}, {"abc", "cba"}, {"日本語", "語本日"}, {"ab cd", "dc ba"}} {
		if got := Reverse(c[0]); got != c[1] {
			t.Errorf("Reverse(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
