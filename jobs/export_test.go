package jobs

// SetReconcileBatch sets how many rows one reconciliation look takes.
func SetReconcileBatch(r *Relay, n int) { r.reconcileBatch = n }

// Instrument is the worker's middleware that counts and times task runs.
var Instrument = instrument
