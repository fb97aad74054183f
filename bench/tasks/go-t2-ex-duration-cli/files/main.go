package main

import (
	"fmt"
	"os"
	"strconv"
)

// format renders a number of seconds as hours, minutes and seconds.
func format(seconds int) string {
	// TODO
	return ""
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
