package greet

import "testing"

func TestHiddenGreeting(t *testing.T) {
	if got := Greeting("Ada", 36); got != "Hello, Ada! You are 36." {
		t.Errorf("Greeting = %q", got)
	}
	if got := Greeting("", 0); got != "Hello, ! You are 0." {
		t.Errorf("Greeting = %q", got)
	}
	if got := Shout("hi"); got != "HI!!" {
		t.Errorf("Shout(\"hi\") = %q, want \"HI!!\"", got)
	}
}
