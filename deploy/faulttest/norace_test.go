//go:build !race

package faulttest

// buildFlags are the extra go build flags for the instances (see race_test.go).
const buildFlags = ""
