package mathx

import "testing"

func TestHiddenAbs(t *testing.T) {
	for _, c := range [][2]int{{-3, 3}, {3, 3}, {0, 0}, {-100, 100}, {7, 7}} {
		if got := Abs(c[0]); got != c[1] {
			t.Errorf("Abs(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}
