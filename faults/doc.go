//go:build faults

// Package faults is the fault suite: it runs the production topology
// (`dargo migrate`, then `dargo inbound`, `worker`, `scheduler` and `web` as
// separate processes, restarted by a small supervisor like systemd's
// Restart=always) against PostgreSQL, Redis and moto_server instances of its
// own on private ports, sends a steady load of customer mail to the SQS
// queue, and injects faults: kill -9 of inbound and worker, Redis restarted
// empty, PostgreSQL stopped for a while, SIGTERM to inbound and worker.
//
// It observes only what a customer or an operator could: tickets in the
// database, mail SES (moto) accepted, and process exits. It asserts that
// every mail became exactly one ticket, every customer got exactly one
// confirmation (a double only where the emails row admits an interrupted
// send), and that all of it was done within 120 s of the last fault; and it
// reports, per fault, mails lost, doubled and delayed and the recovery time.
//
//	go test -tags faults -count=1 -timeout 10m ./faults/
//
// DARGO_FAULTS_BIN tests a prebuilt binary instead of building ../cmd/dargo;
// DARGO_FAULTS_REPORT writes the table as markdown; DARGO_FAULTS_SOAK=30m
// repeats the faults for that long and checks memory, threads and open files
// for growth (give go test a -timeout longer than the soak).
package faults
