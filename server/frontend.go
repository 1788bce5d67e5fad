package server

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/frontend"
)

// placeholderPage is shown when the frontend has not been built. No inline script (CSP).
const placeholderPage = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tafel</title></head>
<body><main><h1>Tafel</h1>
<p>De webapp is nog niet gebouwd. Voer <code>make run</code> uit.</p>
<p lang="en">The web app has not been built yet. Run <code>make run</code>.</p>
</main></body></html>
`

// frontendHandler serves the embedded frontend: a file when it exists, else index.html for
// client-side routes (paths without a file extension), else 404. Unknown /api paths are
// never answered with the app.
func (s *Server) frontendHandler() echo.HandlerFunc {
	dist := frontend.Dist()
	hasIndex := frontend.HasIndex()
	files := http.FileServer(http.FS(dist))
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/api" {
			return errNotFound
		}
		if !hasIndex {
			return c.HTML(http.StatusOK, placeholderPage)
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Response(), c.Request())
				return nil
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if path.Ext(name) != "" {
				return errNotFound
			}
		}
		b, err := fs.ReadFile(dist, "index.html")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, b)
	}
}
