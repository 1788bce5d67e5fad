//go:build race

package faulttest

// buildFlags builds the instances with the race detector when the test runs with it, so that
// a data race in Tafel under faults fails the test too.
const buildFlags = "-race"
