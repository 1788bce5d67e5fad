package redisstore

import "time"

// SetHealthEvery shortens the pub/sub health check for a test; call it before New and the
// returned restore after the Store is closed.
func SetHealthEvery(d time.Duration) (restore func()) {
	old := healthEvery
	healthEvery = d
	return func() { healthEvery = old }
}
