// Command testbin builds the programs the tests start as real servers (Mailpit and the test
// OpenID Provider) into .cache/testbin, when the tools module changed since the last build,
// and prints their paths. make test-deps runs it; the tests build them the same way if needed.
package main

import (
	"fmt"
	"os"

	"github.com/tafel-ketenzorg/tafel/internal/testservers"
)

func main() {
	for _, name := range []string{"mailpit", "testop"} {
		path, err := testservers.Build(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
