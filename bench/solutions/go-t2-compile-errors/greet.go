package greet

import (
	"fmt"
	"strings"
)

// Greeting returns "Hello, <name>! You are <age>."
func Greeting(name string, age int) string {
	return fmt.Sprintf("Hello, %s! You are %d.", name, age)
}

// Shout upper-cases a greeting.
func Shout(s string) string {
	return fmt.Sprintf("%s!!", strings.ToUpper(s))
}
