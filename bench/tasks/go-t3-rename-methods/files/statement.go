package bank

import "fmt"

// Statement is a one-line summary of an account.
func Statement(a *Account) string {
	return fmt.Sprintf("%s: %d.%02d", a.Owner, a.Balance()/100, a.Balance()%100)
}
