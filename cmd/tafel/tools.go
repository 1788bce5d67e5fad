package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// tools are the subcommands: tafel <tool> [--log NAME] [the instance's flags].
var tools = map[string]func(ctx context.Context, cfg server.Config, logName string, stdout, stderr io.Writer) error{
	"verify-log":        verifyLog,
	"rotate-master-key": rotateMasterKey,
}

// runTool runs tool name with args (the instance's flags, so that it opens the same store;
// verify-log also takes --log NAME to check one log instead of all).
func runTool(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var logName string
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--log" && i+1 < len(args):
			logName = args[i+1]
			i++
		case strings.HasPrefix(a, "--log="):
			logName = strings.TrimPrefix(a, "--log=")
		default:
			rest = append(rest, a)
		}
	}
	cfg, err := server.ParseConfig(rest, getenv, stderr)
	if err != nil {
		return err
	}
	return tools[name](ctx, cfg, logName, stdout, stderr)
}

// errBroken is returned by verify-log when a chain is broken (exit status 1).
var errBroken = errors.New("the access log is not whole")

// verifyLog checks the hash chain of the access log: the global log and the log of every
// case in the index or deleted (or only --log NAME), and names the first broken entry of
// each. It needs no key: the chain is over the stored bytes. The embedded store's file is
// locked by a running instance: stop it first.
func verifyLog(ctx context.Context, cfg server.Config, logName string, stdout, _ io.Writer) error {
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	logs := []string{logName}
	if logName == "" {
		logs = []string{audit.GlobalLog}
		var cases []string
		for _, bucket := range []string{"cases", "case-tombstones"} {
			all, err := st.List(ctx, bucket)
			if err != nil {
				return err
			}
			for id := range all {
				if !slices.Contains(cases, id) {
					cases = append(cases, id)
				}
			}
		}
		slices.Sort(cases)
		for _, id := range cases {
			logs = append(logs, audit.CaseLog(id))
		}
	}
	broken := 0
	for _, name := range logs {
		r, err := audit.Verify(ctx, st, name)
		if err != nil {
			return fmt.Errorf("verify %s: %w", name, err)
		}
		if !r.OK() {
			broken++
			fmt.Fprintf(stdout, "BROKEN  %s: entry %d: %s\n", name, r.Broken, r.Reason)
			continue
		}
		from := "1"
		if r.Anchor != nil {
			from = fmt.Sprintf("%d (older entries removed by retention)", r.Anchor.Seq+1)
		}
		fmt.Fprintf(stdout, "ok      %s: %d entries, chained from %s", name, r.Entries, from)
		if r.Unchained > 0 {
			fmt.Fprintf(stdout, ", %d from before the chain", r.Unchained)
		}
		fmt.Fprintln(stdout)
	}
	if broken > 0 {
		return fmt.Errorf("%w: %d of %d logs broken", errBroken, broken, len(logs))
	}
	return nil
}

// rotateMasterKey re-wraps every case key with the current (first) master key. The data is
// not touched. Deletions wait while it runs (they take the same lock).
func rotateMasterKey(ctx context.Context, cfg server.Config, _ string, stdout, _ io.Writer) error {
	logger := slog.New(slog.DiscardHandler)
	backend, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer backend.Close()
	s, closeKeys, err := seal(ctx, cfg, logger, backend, stdout)
	if err != nil {
		return err
	}
	defer closeKeys()
	unlock, ok, err := server.Lock(ctx, backend, "case-keys", 30*time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("a deletion or another rotation is under way: try again shortly")
	}
	defer unlock()
	n, err := s.Keyring().Rotate(ctx)
	if err != nil {
		return fmt.Errorf("rotate: %d case keys re-wrapped before: %w", n, err)
	}
	fmt.Fprintf(stdout, "%d case keys re-wrapped with the first key of the key file. Remove the older keys once every instance runs with it.\n", n)
	return nil
}
