package inbound_test

import "github.com/dargo-support/dargo/internal/metrics/metricstest"

// sample reads a collector's value (see metricstest).
var sample = metricstest.Sample
