package bank

import "errors"

// ErrInsufficient is returned when a withdrawal exceeds the balance.
var ErrInsufficient = errors.New("insufficient funds")

// Account holds a balance in cents.
type Account struct {
	Owner   string
	balance int64
}

// Balance returns the current balance in cents.
func (a *Account) Balance() int64 { return a.balance }

// Deposit adds cents to the balance.
func (a *Account) Deposit(cents int64) { a.balance += cents }

// Withdraw removes cents from the balance.
func (a *Account) Withdraw(cents int64) error {
	if cents > a.balance {
		return ErrInsufficient
	}
	a.balance -= cents
	return nil
}
