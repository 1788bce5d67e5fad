package server_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
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
	if e.Code != meeting.CodeUnavailable || e.Message.NL == "" {
		t.Errorf("got %+v, want unavailable", e)
	}
	var list []caseView
	chair.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("got cases %+v, want none", list)
	}
}

// TestOpenAPICoversRoutes checks that every API route the server registers (the hub's
// content routes included) is described in docs/openapi.yaml with its method.
func TestOpenAPICoversRoutes(t *testing.T) {
	h := newHarness(t)
	spec, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{} // "GET /api/…"
	path := ""
	for _, line := range strings.Split(string(spec), "\n") {
		if m := regexp.MustCompile(`^  (/\S*):\s*$`).FindStringSubmatch(line); m != nil {
			path = m[1]
			continue
		}
		if m := regexp.MustCompile(`^    (get|post|put|patch|delete):`).FindStringSubmatch(line); m != nil && path != "" {
			documented[strings.ToUpper(m[1])+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	n := 0
	for _, r := range h.srv.Handler().(*echo.Echo).Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && r.Path != "/ws" {
			continue
		}
		n++
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		if !documented[key] {
			t.Errorf("%s is not in docs/openapi.yaml", key)
		}
	}
	if n < 20 {
		t.Errorf("got %d API routes, want the whole API", n)
	}
}
