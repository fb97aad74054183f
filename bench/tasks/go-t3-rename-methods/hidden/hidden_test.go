package bank

import (
	"reflect"
	"testing"
)

func TestHiddenRenamed(t *testing.T) {
	typ := reflect.TypeOf(&Account{})
	for _, old := range []string{"Deposit", "Withdraw"} {
		if _, ok := typ.MethodByName(old); ok {
			t.Errorf("method %s should have been renamed", old)
		}
	}
	a := &Account{Owner: "ada"}
	a.Credit(1234)
	if err := a.Debit(34); err != nil {
		t.Fatal(err)
	}
	if err := a.Debit(5000); err != ErrInsufficient {
		t.Errorf("Debit beyond balance: got %v", err)
	}
	b := &Account{Owner: "bob"}
	if err := Transfer(a, b, 1000); err != nil {
		t.Fatal(err)
	}
	if got := Statement(a); got != "ada: 2.00" {
		t.Errorf("Statement(a) = %q", got)
	}
	if got := Statement(b); got != "bob: 10.00" {
		t.Errorf("Statement(b) = %q", got)
	}
	if err := Transfer(b, a, 1001); err != ErrInsufficient || b.Balance() != 1000 {
		t.Errorf("failed transfer must not move money: err=%v balance=%d", err, b.Balance())
	}
}
