package greet

import (
	"fmt"
	"strings"
)

// Greeting returns "Hello, <name>! You are <age>."
func Greeting(name string, age int) string {
	return "Hello, " + name + "! You are " + age + "."
}

// Shout upper-cases a greeting.
func Shout(s string) string {
	return fmt.Sprintf("%s!!", s)
}
