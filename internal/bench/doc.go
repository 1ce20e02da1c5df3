// Package bench measures Dargo's headline figures on the machine it runs on
// (`dargo bench`): ingest straight into the pipeline, ingest through the SQS
// consumer from an in-memory queue, sending through the outbox, relay, Redis
// and worker, the staff inbox's pages on a seeded database, and sign-in.
//
// It never touches real data. Beside a configured SQLite file it works in a
// sibling file of its own, removed at the end; on PostgreSQL in a schema of
// its own, dropped at the end (after Ctrl-C too); it checks that the
// connection really is in that fresh schema or file before writing. It uses
// a Redis database only when that database is empty, and empties it again at
// the end unless another process came to use it meanwhile; with no
// Redis configured it runs an in-process stand-in, as `dargo dev` does. The
// processes' wiring (pipeline, web handler, worker) comes from the caller,
// so what is measured is what production runs.
package bench
