package mailparse

// Item is one mail of a batch handed to the pipeline together.
type Item struct {
	Raw []byte
	Env Envelope
}

// ItemResult is what became of one mail of a batch: its Result, or the
// error that left it unprocessed (its message stays on the queue).
type ItemResult struct {
	Result Result
	Err    error
}
