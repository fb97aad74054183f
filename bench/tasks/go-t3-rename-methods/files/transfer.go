package bank

// Transfer moves cents from one account to another.
func Transfer(from, to *Account, cents int64) error {
	if err := from.Withdraw(cents); err != nil {
		return err
	}
	to.Deposit(cents)
	return nil
}
