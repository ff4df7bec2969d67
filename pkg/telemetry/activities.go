package telemetry

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
)

// AttemptThreshold is the attempt from which an activity counts as one that
// keeps failing: bookwell_activity_attempts_beyond_threshold_total counts its
// attempts, and it is logged at WARN with its workflow.
var AttemptThreshold int32 = 3

var (
	activityAttempts = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_activity_attempts_beyond_threshold_total",
		Help: "Activity attempts whose number is beyond the threshold (3): an activity that keeps failing, by activity type.",
	}, []string{"activity_type"})
	activityFailing = &failing{since: map[string]failure{}, types: map[string]bool{}}
)

func init() { prometheus.MustRegister(activityFailing) }

// failing tracks the activities whose last attempt on this worker failed and
// will be retried: how long each has been failing, since it was first
// scheduled.
type failing struct {
	mu    sync.Mutex
	since map[string]failure // by workflow id and activity id
	types map[string]bool    // every activity type run here: 0 when none fails
}

type failure struct {
	activityType string
	scheduled    time.Time
	seen         time.Time
}

var failingDesc = prometheus.NewDesc("bookwell_activity_failing_seconds",
	"How long the longest-failing activity of each type has been failing and retrying (since it was first scheduled); 0 when none is.",
	[]string{"activity_type"}, nil)

func (f *failing) Describe(ch chan<- *prometheus.Desc) { ch <- failingDesc }

func (f *failing) Collect(ch chan<- prometheus.Metric) {
	f.mu.Lock()
	defer f.mu.Unlock()
	longest := map[string]float64{}
	for typ := range f.types {
		longest[typ] = 0
	}
	for k, x := range f.since {
		// A retry that never came back here (another worker took it, the
		// workflow ended) is forgotten after a while.
		if time.Since(x.seen) > 15*time.Minute {
			delete(f.since, k)
			continue
		}
		longest[x.activityType] = max(longest[x.activityType], time.Since(x.scheduled).Seconds())
	}
	for typ, v := range longest {
		ch <- prometheus.MustNewConstMetric(failingDesc, prometheus.GaugeValue, v, typ)
	}
}

func (f *failing) record(info activity.Info, err error) {
	key := info.WorkflowExecution.ID + "/" + info.ActivityID
	f.mu.Lock()
	defer f.mu.Unlock()
	f.types[info.ActivityType.Name] = true
	var ae *temporal.ApplicationError
	if err == nil || (errors.As(err, &ae) && ae.NonRetryable()) || errors.Is(err, context.Canceled) {
		delete(f.since, key)
		return
	}
	f.since[key] = failure{activityType: info.ActivityType.Name, scheduled: info.ScheduledTime, seen: time.Now()}
}

// ActivityAttempts is the Temporal interceptor that watches activities that
// keep failing: bookwell_activity_attempts_beyond_threshold_total and
// bookwell_activity_failing_seconds (the alert "an activity has been failing
// for more than 5 minutes" reads it), and a WARN line naming the workflow.
func ActivityAttempts() interceptor.Interceptor { return &attempts{} }

type attempts struct{ interceptor.InterceptorBase }

func (a *attempts) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &attemptsInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type attemptsInbound struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *attemptsInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	attempts := activityAttempts.WithLabelValues(info.ActivityType.Name) // 0 from the first run on
	if info.Attempt > AttemptThreshold {
		attempts.Inc()
		activity.GetLogger(ctx).Warn("an activity keeps failing", "activity_type", info.ActivityType.Name,
			"workflow_id", info.WorkflowExecution.ID, "attempt", info.Attempt, "failing_for", time.Since(info.ScheduledTime).Round(time.Second))
	}
	out, err := a.Next.ExecuteActivity(ctx, in)
	activityFailing.record(info, err)
	return out, err
}
