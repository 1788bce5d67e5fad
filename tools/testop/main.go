// Command testop is a real OpenID Provider for Tafel's tests: the example provider of
// github.com/zitadel/oidc (authorisation code with PKCE, discovery, JWKS, a login page), on a
// loopback address only. It is never part of Tafel.
//
//	testop -addr 127.0.0.1:0 -users users.json -redirect http://localhost:8080/api/oidc/test/callback
//
// It prints "issuer <url>" on standard output once it accepts connections. The users file is a
// JSON object of the example's users (ID, Username, Password, FirstName, LastName, Email,
// EmailVerified); the client is "tafel" with secret "tafel-secret".
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	users := flag.String("users", "", "users file (JSON)")
	redirect := flag.String("redirect", "", "allowed redirect URIs, comma-separated")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "testop: -addr must be a loopback address")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testop:", err)
		os.Exit(1)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	storage.RegisterClients(storage.WebClient("tafel", "tafel-secret", strings.Split(*redirect, ",")...))
	var store storage.UserStore = storage.NewUserStore(issuer)
	if *users != "" {
		if store, err = storage.StoreFromFile(*users); err != nil {
			fmt.Fprintln(os.Stderr, "testop: users:", err)
			os.Exit(1)
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router := exampleop.SetupServer(issuer, storage.NewStorage(store), logger, false)
	fmt.Println("issuer", issuer)
	if err := http.Serve(ln, router); err != nil {
		fmt.Fprintln(os.Stderr, "testop:", err)
		os.Exit(1)
	}
}
