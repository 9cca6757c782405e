package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are a Server's Prometheus metrics, in a registry of its own so
// that two Servers (tests, or two models in one process) never share or
// clash over one.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, method, code
	latency  *prometheus.HistogramVec // route
	stories  *prometheus.CounterVec   // verdict
	inFlight prometheus.Gauge
	rejected prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagger_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code (499: the client went away).",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tagger_http_request_duration_seconds",
			Help: "Time from a request's arrival to its answer, by route pattern.",
			// From a health check (well under a millisecond) to the largest
			// story (seconds).
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		stories: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagger_stories_checked_total",
			Help: "Stories checked, by verdict status (ok, review, not-checked).",
		}, []string{"verdict"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tagger_checks_in_flight",
			Help: "Checks running now (reading their story or scoring it).",
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagger_checks_rejected_total",
			Help: "Checks refused with 503 because the cap on concurrent checks was reached.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.stories, m.inFlight, m.rejected,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in the Prometheus exposition formats.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// request counts one answered request.
func (m *metrics) request(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, methodLabel(method), strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// methodLabel bounds the method label: a client may send any token as a
// method, and every distinct label value is a series kept forever.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
