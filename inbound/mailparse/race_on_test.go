//go:build race

package mailparse

// raceEnabled: the race detector changes what allocates (sync.Pool drops
// items at random), so allocation bounds are checked without it.
const raceEnabled = true
