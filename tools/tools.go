//go:build tools

// Package tools pins the programs Tafel's tests run as real servers: Mailpit (an SMTP server
// with an HTTP API to read what arrived) and, through testop, the example OpenID Provider of
// zitadel/oidc. internal/testservers builds them once into .cache/testbin.
package tools

import (
	_ "github.com/axllent/mailpit"
)
