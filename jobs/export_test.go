package jobs

// SetReconcileBatch sets how many rows one reconciliation look takes.
func SetReconcileBatch(r *Relay, n int) { r.reconcileBatch = n }
