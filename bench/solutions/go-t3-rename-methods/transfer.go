package bank

// Transfer moves cents from one account to another.
func Transfer(from, to *Account, cents int64) error {
	if err := from.Debit(cents); err != nil {
		return err
	}
	to.Credit(cents)
	return nil
}
