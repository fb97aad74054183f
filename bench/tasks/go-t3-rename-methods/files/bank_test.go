package bank

import "testing"

func TestTransfer(t *testing.T) {
	a := &Account{Owner: "ada"}
	b := &Account{Owner: "bob"}
	a.Deposit(500)
	if err := Transfer(a, b, 200); err != nil {
		t.Fatal(err)
	}
	if a.Balance() != 300 || b.Balance() != 200 {
		t.Fatalf("balances %d %d", a.Balance(), b.Balance())
	}
}
