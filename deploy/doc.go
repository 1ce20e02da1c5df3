// Package deploy holds what it takes to run Dargo in production, next to
// the tests that check it against the code: the AWS setup scripts (run
// against moto), the container image (Containerfile, image/), systemd units,
// Kubernetes manifests, Prometheus alerts and the Grafana dashboard. The
// tests fail when a file names a metric family, a command, a port or a
// probe path that the binary does not have.
package deploy
