package hub

import (
	_ "embed"
	"net/http"
)

// dashboardHTML is the whole dashboard: markup, style and the script that
// reads /api/devices and /api/series and draws the plots as inline SVG.
//
//go:embed dashboard/index.html
var dashboardHTML []byte

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(dashboardHTML)
}
