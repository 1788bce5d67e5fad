// Package frontend embeds the built web client (frontend/dist) into the Tafel binary.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built frontend. When the frontend has not been built (only the
// placeholder .gitkeep is present) HasIndex reports false and the server shows a placeholder.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// HasIndex reports whether the embedded build contains index.html.
func HasIndex() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}
