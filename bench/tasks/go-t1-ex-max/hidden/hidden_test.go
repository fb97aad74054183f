package mathx

import "testing"

func TestHiddenMax(t *testing.T) {
	cases := []struct {
		xs   []int
		want int
	}{{[]int{-3, -1, -7}, -1}, {[]int{5}, 5}, {[]int{1, 9, 3}, 9}, {[]int{-8}, -8}, {[]int{0, -1}, 0}, {[]int{2, 2}, 2}, {[]int{-5, 4}, 4}}
	for _, c := range cases {
		if got := Max(c.xs); got != c.want {
			t.Errorf("Max(%v) = %d, want %d", c.xs, got, c.want)
		}
	}
}
