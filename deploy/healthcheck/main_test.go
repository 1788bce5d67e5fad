package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTarget(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"default", nil, "http://127.0.0.1:8080/healthz"},
		{"port of the listen address", map[string]string{"TAFEL_ADDR": "0.0.0.0:9090"}, "http://127.0.0.1:9090/healthz"},
		{"explicit URL wins", map[string]string{"TAFEL_ADDR": "0.0.0.0:9090", "TAFEL_HEALTHCHECK_URL": "http://127.0.0.1:1/x"}, "http://127.0.0.1:1/x"},
		{"unparsable address", map[string]string{"TAFEL_ADDR": "nonsense"}, "http://127.0.0.1:8080/healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := target(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	if err := check(srv.URL + "/healthz"); err != nil {
		t.Errorf("healthy instance: got %v, want nil", err)
	}
	status = http.StatusServiceUnavailable
	if err := check(srv.URL + "/healthz"); err == nil {
		t.Errorf("instance answering 503: got nil, want an error")
	}
	srv.Close()
	if err := check(srv.URL + "/healthz"); err == nil {
		t.Errorf("instance not listening: got nil, want an error")
	}
}
