package main

import (
	"fmt"
	"os"
	"strconv"
)

// Usage: go run . N...   prints the sum of the integers given.
func main() {
	total := 0
	for _, a := range os.Args[1:] {
		n, err := strconv.Atoi(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, "not a number:", a)
			os.Exit(1)
		}
		total += n
	}
	fmt.Println(total)
}
