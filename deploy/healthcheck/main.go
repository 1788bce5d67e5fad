// Command healthcheck is the container health check of the Tafel image, which has no shell
// and no curl: it asks the Tafel instance in the same container GET /healthz and exits 0 on
// 200 OK, 1 otherwise (with the reason on stderr).
//
// The URL is TAFEL_HEALTHCHECK_URL when set, else http://127.0.0.1:<port of TAFEL_ADDR>/healthz
// (port 8080 when TAFEL_ADDR is unset). Liveness only: whether the instance can serve (its
// store answers, it is not draining) is /readyz, for the load balancer.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// timeout bounds one check; the orchestrator retries.
const timeout = 3 * time.Second

func main() {
	if err := check(target(os.Getenv)); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

// target is the URL to check, from the environment.
func target(getenv func(string) string) string {
	if u := getenv("TAFEL_HEALTHCHECK_URL"); u != "" {
		return u
	}
	port := "8080"
	if _, p, err := net.SplitHostPort(getenv("TAFEL_ADDR")); err == nil && p != "" {
		port = p
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
}

// check reports whether GET url answers 200 within timeout.
func check(url string) error {
	c := http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
