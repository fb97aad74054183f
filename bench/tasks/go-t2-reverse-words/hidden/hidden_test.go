package words

import "testing"

func TestHiddenWords(t *testing.T) {
	rev := map[string]string{
		"the quick  brown fox": "fox brown quick the",
		"   ":                  "",
		"":                     "",
		"one":                  "one",
		"\ta\nb  ":              "b a",
	}
	for in, want := range rev {
		if got := ReverseWords(in); got != want {
			t.Errorf("ReverseWords(%q) = %q, want %q", in, got, want)
		}
	}
	capw := map[string]string{
		"hello go  world": "Hello Go World",
		"":                "",
		"already Fine":    "Already Fine",
		"élan vital":      "Élan Vital",
	}
	for in, want := range capw {
		if got := CapitalizeWords(in); got != want {
			t.Errorf("CapitalizeWords(%q) = %q, want %q", in, got, want)
		}
	}
}
