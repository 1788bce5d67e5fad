package storetest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStoresDoNotLinkTheServer: the stores and their suite depend on the server's storage
// contract (server/kv), never on the server itself — so not on Echo, the PDF writer,
// Prometheus or the password hashing that the server links.
func TestStoresDoNotLinkTheServer(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	forbidden := []string{
		"github.com/labstack/echo",
		"github.com/tafel-ketenzorg/tafel/server",
		"github.com/go-pdf/fpdf",
		"github.com/prometheus/client_golang",
		"golang.org/x/crypto/argon2",
	}
	for _, pkg := range []string{"hub/boltstore", "hub/redisstore", "hub/sealedstore", "hub/storetest"} {
		out, err := exec.Command(goTool, "list", "-deps", "github.com/tafel-ketenzorg/tafel/"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/tafel-ketenzorg/tafel/server/kv" {
				continue
			}
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s, want only the leaf server/kv", pkg, dep)
				}
			}
		}
	}
}
