// Package faulttest holds Tafel's fault tests: the scale-out topology of deploy/local (one
// redis-server with AOF, three tafel instances, nginx in front) started by
// deploy/local/tafel-local.sh, three meetings with scripted participants over real WebSockets
// through nginx, and faults injected while they meet:
//
//   - TestInstanceKill: SIGKILL of one instance mid-round, 20 times (TAFEL_FAULT_RUNS=100 or
//     -fault.runs=100 for more); its clients reconnect through nginx and resume.
//   - TestRedisKill: kill -9 of Redis mid-round and a restart from its append-only file.
//   - TestRollingRestart: SIGTERM of each instance in turn (it drains) and a start again.
//
// After each fault every acknowledged command must be in the case log exactly once, every
// client must hold the same view as the others of its audience, and every client's stream of
// events and views must have no gap, duplicate or step back. The tests need redis-server and
// nginx (make test-deps installs both) and use only 127.0.0.0/8. Run them with
//
//	GOTOOLCHAIN=go1.26.10 go test -v -count=1 ./deploy/faulttest/
//
// All of the package is in its _test.go files.
package faulttest
