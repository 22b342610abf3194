"""Browser pages of the supplies ledger, one module per subject: the ledger and an entry (with
its receipt), quick entry, balances, totals and the public notice."""
