// Package transport is how raw mail and SES notifications reach Dargo: the
// SQS consumer (receiving, heartbeats, batched deletes, the dead-letter
// queue's depth, a gate that stops receiving while the pipeline fails), the
// SNS envelope and its signature check, SES bounce and complaint feedback
// (applied to the store), and the SMTP listener of `dargo dev`. Mail goes
// to the pipeline through the Ingester interface declared here, so this
// package does not import the pipeline (package inbound); both share
// mailparse's Envelope and Result.
package transport
