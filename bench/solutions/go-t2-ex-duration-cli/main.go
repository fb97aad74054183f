package main

import (
	"fmt"
	"os"
	"strconv"
)

// format renders a number of seconds as hours, minutes and seconds.
func format(seconds int) string {
	if seconds == 0 {
		return "0s"
	}
	h, m, s := seconds/3600, seconds%3600/60, seconds%60
	out := ""
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dm", m)
	}
	if s > 0 {
		out += fmt.Sprintf("%ds", s)
	}
	return out
}

// Usage: go run . SECONDS
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dur SECONDS")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "not a duration:", os.Args[1])
		os.Exit(2)
	}
	fmt.Println(format(n))
}
