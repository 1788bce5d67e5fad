package server_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/tafel-ketenzorg/tafel/server"
)

// TestShutdownBeforeServe stops an instance whose Serve had not started yet (as when a
// signal arrives right after start-up): Serve then returns at once instead of serving on.
func TestShutdownBeforeServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Options{Config: server.Config{Addr: ln.Addr().String(),
		DataDir: t.TempDir()}, KV: openBolt(t, t.TempDir()), SigningKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := srv.Serve(ln); err != nil {
		t.Errorf("serve after shutdown: got %v, want nil", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("the listener still accepts connections")
	}
}

// TestCreateCaseWithoutHub: when the case's content cannot be written (the hub is draining),
// creating a case is refused as unavailable and no empty case is left in the index.
func TestCreateCaseWithoutHub(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	if err := h.live.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	e := chair.do(http.MethodPost, "/api/cases", caseBody("Casus A")).want(t, http.StatusServiceUnavailable).err(t)
	if e.Code != server.CodeUnavailable || e.Message.NL == "" {
		t.Errorf("got %+v, want unavailable", e)
	}
	var list []caseView
	chair.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("got cases %+v, want none", list)
	}
}
