package telemetry

import (
	"context"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Every process's metrics go to Prometheus's default registry, which the
// admin port serves on /metrics (pkg/service). Names follow Prometheus's
// conventions: bookwell_ for ours, grpc_ for the gRPC RED metrics (the
// go-grpc-middleware names every dashboard knows), temporal_ for the SDK's.

var (
	grpcOnce    sync.Once
	grpcServer  *grpcprom.ServerMetrics
	grpcClient  *grpcprom.ClientMetrics
	latencyBkts = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

func grpcMetrics() {
	grpcOnce.Do(func() {
		grpcServer = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(latencyBkts)))
		grpcClient = grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram(grpcprom.WithHistogramBuckets(latencyBkts)))
		prometheus.MustRegister(grpcServer, grpcClient)
	})
}

// GRPCServerMetrics are the RED metrics of the process's gRPC server, by
// service, method and code: grpc_server_started_total,
// grpc_server_handled_total, grpc_server_handling_seconds.
func GRPCServerMetrics() *grpcprom.ServerMetrics {
	grpcMetrics()
	return grpcServer
}

// GRPCClientMetrics are the same of the calls the process makes:
// grpc_client_handled_total, grpc_client_handling_seconds.
func GRPCClientMetrics() *grpcprom.ClientMetrics {
	grpcMetrics()
	return grpcClient
}

var (
	temporalOnce    sync.Once
	temporalHandler client.MetricsHandler
)

// TemporalMetrics is the Temporal SDK's MetricsHandler for the process's
// client and workers: the SDK's own metrics (temporal_request_total,
// temporal_activity_execution_failed_total, temporal_workflow_task_... see
// Temporal's SDK metrics reference), exported to Prometheus through
// OpenTelemetry, with the unit in the name (_seconds) and counters ending in
// _total.
func TemporalMetrics() client.MetricsHandler {
	temporalOnce.Do(func() {
		exp, err := otelprom.New(otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
		if err != nil {
			temporalHandler = client.MetricsNopHandler
			return
		}
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
		temporalHandler = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter: mp.Meter("temporal-sdk-go"),
		})
	})
	return temporalHandler
}

// Sampled is a gauge collector whose values are read by fn at most every
// maxAge (a scrape more often sees the last values): for numbers that cost a
// query, such as the bookings by status. fn fills the values by label value;
// an error keeps the previous ones.
type Sampled struct {
	desc    *prometheus.Desc
	labeled bool
	fn      func(ctx context.Context) (map[string]float64, error)
	maxAge  time.Duration

	mu     sync.Mutex
	at     time.Time
	values map[string]float64
}

// NewSampled describes the gauge name with help, the constant labels of this
// collector (the schema, the consumer) and one variable label (or none when
// label is empty, fn then filling the value under "").
func NewSampled(name, help string, constant prometheus.Labels, label string, maxAge time.Duration, fn func(ctx context.Context) (map[string]float64, error)) *Sampled {
	var labels []string
	if label != "" {
		labels = []string{label}
	}
	return &Sampled{desc: prometheus.NewDesc(name, help, labels, constant), labeled: label != "", fn: fn, maxAge: maxAge}
}

// Describe implements prometheus.Collector.
func (s *Sampled) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

// Collect implements prometheus.Collector.
func (s *Sampled) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil || time.Since(s.at) >= s.maxAge {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		v, err := s.fn(ctx)
		cancel()
		if err == nil {
			s.values, s.at = v, time.Now()
		}
	}
	for lv, v := range s.values {
		var labels []string
		if s.labeled {
			labels = []string{lv}
		}
		if m, err := prometheus.NewConstMetric(s.desc, prometheus.GaugeValue, v, labels...); err == nil {
			ch <- m
		}
	}
}

// Register registers c with the default registry; a collector registered
// already (a second relay of the same schema in one process, tests) keeps
// the first.
func Register(c prometheus.Collector) {
	if err := prometheus.Register(c); err != nil {
		if _, ok := err.(prometheus.AlreadyRegisteredError); !ok {
			panic(err)
		}
	}
}
