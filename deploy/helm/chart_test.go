// Package helm checks the bookwell chart offline: helm lint, helm template for
// the defaults and every values file in values/, and every rendered object
// decoded strictly into the Kubernetes API's Go types (k8s.io/api, and the
// Prometheus Operator's for the ServiceMonitor): an unknown field, a wrong
// type or an unknown kind fails. On top of the schema, the references a
// cluster would only notice at run time are checked: selectors that match
// pods, probe and service ports that exist, mounts of declared volumes, gRPC
// targets that name a rendered headless service, *_FILE variables that point
// into a mounted Secret.
package helm

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/bookwell/bookwell/deploy/observability"
	"github.com/bookwell/bookwell/deploy/stack"
)

// kubeVersion is the Kubernetes version the chart is rendered for.
const kubeVersion = "1.31.0"

const namespace = "shop"

// processes are the eight Deployments the chart must run, by binary: the
// seven of the back end and the web console.
var processes = []string{"schedulingd", "paymentsd", "notificationsd", "reputationd", "bookingd", "booking-worker", "gatewayd", "consoled"}

func helmBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELM"); p != "" {
		return p
	}
	root, err := stack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "bin", "helm")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no helm at %s: run `make tools` (or set HELM)", p)
	}
	return p
}

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(helmBin(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("helm %s: %v\n%s%s", strings.Join(args, " "), err, errb.String(), out.String())
	}
	return out.String(), nil
}

// valueSets are the renders checked: the defaults, each values file alone,
// and whole installations combining them.
func valueSets(t *testing.T) map[string][]string {
	files, err := filepath.Glob("values/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("values files: %v %v", files, err)
	}
	sets := map[string][]string{"defaults": nil}
	for _, f := range files {
		sets[strings.TrimSuffix(filepath.Base(f), ".yaml")] = []string{f}
	}
	sets["self-hosted"] = []string{"values/nats-cluster.yaml", "values/cloudnativepg.yaml", "values/temporal-selfhosted.yaml"}
	sets["cloud"] = []string{"values/nats-cluster.yaml", "values/cloudnativepg.yaml", "values/temporal-cloud.yaml"}
	return sets
}

// identitySet is the identity provider every rendering names: the chart
// refuses to render without one.
const identitySet = "auth.issuer=https://login.example.com/,auth.audience=https://api.example.com,console.oidc.clientId=bookwell-console"

func TestChart(t *testing.T) {
	for name, files := range valueSets(t) {
		t.Run(name, func(t *testing.T) {
			args := []string{"lint", "--strict", "bookwell", "--kube-version", kubeVersion, "--set", identitySet}
			for _, f := range files {
				args = append(args, "-f", f)
			}
			if _, err := helm(t, args...); err != nil {
				t.Fatal(err)
			}
			objs := render(t, files, "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true")
			checkObjects(t, objs, processes)
			checkConsole(t, objs)
			env := deploymentEnv(t, objs, "bookingd")
			switch name {
			case "temporal-cloud":
				want(t, env, "TEMPORAL_TLS", "true")
				want(t, env, "TEMPORAL_TLS_CERT_FILE", "/etc/bookwell/temporal-client/tls.crt")
				want(t, env, "TEMPORAL_ADDRESS", "bookwell-prod.a1b2c.tmprl.cloud:7233")
			case "temporal-cloud-apikey":
				want(t, env, "TEMPORAL_TLS", "true")
				want(t, env, "TEMPORAL_API_KEY_FILE", "/var/run/secrets/bookwell/temporal-api-key/api-key")
			case "temporal-selfhosted":
				want(t, env, "TEMPORAL_TLS_CA_FILE", "/etc/bookwell/temporal-ca/ca.crt")
				want(t, env, "TEMPORAL_TLS_SERVER_NAME", "temporal-frontend")
			case "nats-cluster":
				want(t, env, "NATS_STREAM_REPLICAS", "3")
				want(t, env, "NATS_STREAM_BOOKING_MAX_BYTES", "214748364800")
				want(t, env, "NATS_NKEY_SEED_FILE", "/var/run/secrets/bookwell/nats-nkey-seed/seed")
				want(t, env, "NATS_TLS_CA_FILE", "/etc/bookwell/nats-ca/ca.crt")
			case "cloudnativepg":
				want(t, env, "DATABASE_SSLMODE", "verify-full")
				want(t, env, "DATABASE_SSLROOTCERT", "/etc/bookwell/postgres/ca.crt")
				// The migrations role is the bootstrap's only.
				if _, ok := env["MIGRATIONS_DATABASE_URL_FILE"]; ok {
					t.Error("the services get the migrations role's URL; only the bootstrap should")
				}
				job := only[*batchv1.Job](t, objs)
				for _, c := range allContainers(job.Spec.Template.Spec) {
					if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "MIGRATIONS_DATABASE_URL_FILE" }) {
						t.Errorf("bootstrap step %s has no MIGRATIONS_DATABASE_URL_FILE", c.Name)
					}
				}
			case "defaults":
				want(t, env, "NATS_STREAM_REPLICAS", "3")
				want(t, env, "BOOTSTRAP_ON_START", "false")
				want(t, env, "NATS_STREAM_DEADLETTER_MAX_BYTES", "10737418240")
				want(t, env, "AUTH_ISSUER", "https://login.example.com/")
				want(t, env, "SERVICE_SIGNING_KEY_FILE", "/var/run/secrets/bookwell/service-signing-key/signing-key.pem")
				want(t, env, "SERVICE_VERIFY_KEYS_FILE", "/var/run/secrets/bookwell/service-verify-keys/verify-keys.pem")
			}
		})
	}
}

// TestChartRefusesBadValues: values that cannot work stop the install with a
// message naming the value, before anything reaches the cluster.
func TestChartRefusesBadValues(t *testing.T) {
	for _, c := range []struct {
		set  []string
		want string
	}{
		{[]string{"postgres.sslmode=verify-full"}, "postgres.sslmode verify-full needs postgres.ca.name"},
		{[]string{"postgres.sslmode=sometimes"}, `postgres.sslmode "sometimes"`},
		{[]string{"postgres.url.name="}, "postgres.url.name"},
		{[]string{"grpc.tls.enabled=true"}, "grpc.tls.secretName"},
		{[]string{"temporal.apiKey.name=k", "temporal.tls.clientCertSecret=c"}, "apiKey or tls.clientCertSecret"},
		{[]string{"nats.streams.replicas=0"}, "nats.streams.replicas"},
		{[]string{"auth.issuer="}, "auth.issuer"},
		{[]string{"auth.serviceKeys.verify.name="}, "auth.serviceKeys"},
		{[]string{"console.oidc.clientId="}, "console.oidc.clientId"},
	} {
		args := []string{"template", "bookwell", "bookwell", "--kube-version", kubeVersion, "--set", identitySet}
		for _, s := range c.set {
			args = append(args, "--set", s)
		}
		_, err := helm(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--set %v: %v; want an error saying %q", c.set, err, c.want)
		}
	}
}

// render runs helm template and decodes every object strictly.
func render(t *testing.T, files []string, extra ...string) []runtime.Object {
	t.Helper()
	args := []string{"template", "bookwell", "bookwell", "--namespace", namespace, "--kube-version", kubeVersion, "--set", identitySet}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	out, err := helm(t, append(args, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		policyv1.AddToScheme, autoscalingv2.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	dec := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true, Strict: true})
	var objs []runtime.Object
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(out, -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		obj, gvk, err := dec.Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("decode strictly: %v\n%s", err, doc)
		}
		if gvk.Kind == "Secret" || gvk.Kind == "ConfigMap" {
			t.Errorf("the chart renders a %s: secrets are referenced, never written by the chart", gvk.Kind)
		}
		objs = append(objs, obj)
	}
	return objs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func all[T runtime.Object](objs []runtime.Object) []T {
	var out []T
	for _, o := range objs {
		if x, ok := o.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

func only[T runtime.Object](t *testing.T, objs []runtime.Object) T {
	t.Helper()
	l := all[T](objs)
	if len(l) != 1 {
		var zero T
		t.Fatalf("%d objects of type %T, want 1", len(l), zero)
	}
	return l[0]
}

func allContainers(s corev1.PodSpec) []corev1.Container {
	return append(slices.Clone(s.InitContainers), s.Containers...)
}

func deploymentEnv(t *testing.T, objs []runtime.Object, binary string) map[string]string {
	t.Helper()
	for _, d := range all[*appsv1.Deployment](objs) {
		if d.Spec.Template.Labels["app.kubernetes.io/name"] == binary {
			env := map[string]string{}
			for _, e := range d.Spec.Template.Spec.Containers[0].Env {
				env[e.Name] = e.Value
			}
			return env
		}
	}
	t.Fatalf("no Deployment of %s", binary)
	return nil
}

func want(t *testing.T, env map[string]string, k, v string) {
	t.Helper()
	if env[k] != v {
		t.Errorf("%s = %q, want %q", k, env[k], v)
	}
}

// checkObjects checks what the API server's schema does not: that the
// objects fit together.
func checkObjects(t *testing.T, objs []runtime.Object, processes []string) {
	t.Helper()
	deps := all[*appsv1.Deployment](objs)
	svcs := all[*corev1.Service](objs)
	var got []string
	for _, d := range deps {
		got = append(got, d.Spec.Template.Labels["app.kubernetes.io/name"])
		checkName(t, "Deployment", d.Name)
		checkPodSpec(t, "Deployment "+d.Name, d.Spec.Template.Spec)
		sel := selector(t, d.Spec.Selector.MatchLabels)
		if !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("Deployment %s: selector does not match its pods", d.Name)
		}
		c := d.Spec.Template.Spec.Containers[0]
		if c.ReadinessProbe == nil || c.LivenessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("Deployment %s: readiness on /readyz and liveness probes wanted", d.Name)
		}
		for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
			if pr != nil && pr.HTTPGet != nil && !hasPort(c, pr.HTTPGet.Port.String()) {
				t.Errorf("Deployment %s: a probe uses port %s the container does not declare", d.Name, pr.HTTPGet.Port.String())
			}
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("Deployment %s: CPU and memory requests and a memory limit wanted", d.Name)
		}
		if !strings.HasSuffix(c.Image, "/"+c.Name+":0.1.0") {
			t.Errorf("Deployment %s: image %s, want <repository>/%s:<appVersion>", d.Name, c.Image, c.Name)
		}
		// Every process is reachable by a Service selecting it (the admin
		// port at least, for metrics).
		if !slices.ContainsFunc(svcs, func(s *corev1.Service) bool {
			return selector(t, s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels))
		}) {
			t.Errorf("Deployment %s: no Service selects its pods", d.Name)
		}
		checkGRPCTargets(t, c, svcs)
		pdb := slices.IndexFunc(all[*policyv1.PodDisruptionBudget](objs), func(p *policyv1.PodDisruptionBudget) bool {
			s, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
			return err == nil && s.Matches(labels.Set(d.Spec.Template.Labels))
		})
		if pdb < 0 {
			t.Errorf("Deployment %s: no PodDisruptionBudget covers it", d.Name)
		}
	}
	slices.Sort(got)
	wantProcs := slices.Sorted(slices.Values(processes))
	if !slices.Equal(got, wantProcs) {
		t.Errorf("Deployments for %v, want %v", got, wantProcs)
	}
	for _, s := range svcs {
		if len(validation.IsDNS1035Label(s.Name)) > 0 {
			t.Errorf("Service name %q is not a DNS label", s.Name)
		}
		var target *appsv1.Deployment
		for _, d := range deps {
			if selector(t, s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				target = d
			}
		}
		if target == nil {
			t.Errorf("Service %s selects no pods", s.Name)
			continue
		}
		for _, p := range s.Spec.Ports {
			if !hasPort(target.Spec.Template.Spec.Containers[0], p.TargetPort.String()) {
				t.Errorf("Service %s: target port %s is not a port of %s", s.Name, p.TargetPort.String(), target.Name)
			}
			if p.Name == "grpc" && s.Spec.ClusterIP != corev1.ClusterIPNone {
				t.Errorf("Service %s serves gRPC but is not headless: clients would reach one replica", s.Name)
			}
		}
	}
	hpas := all[*autoscalingv2.HorizontalPodAutoscaler](objs)
	var scaled []string
	for _, h := range hpas {
		i := slices.IndexFunc(deps, func(d *appsv1.Deployment) bool { return d.Name == h.Spec.ScaleTargetRef.Name })
		if i < 0 || h.Spec.ScaleTargetRef.Kind != "Deployment" {
			t.Errorf("HorizontalPodAutoscaler %s scales %s %s, which is not rendered", h.Name, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
			continue
		}
		if deps[i].Spec.Replicas != nil {
			t.Errorf("Deployment %s has replicas set and an autoscaler: every upgrade would reset the count", deps[i].Name)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
			t.Errorf("HorizontalPodAutoscaler %s may scale below 2 replicas", h.Name)
		}
		scaled = append(scaled, deps[i].Spec.Template.Labels["app.kubernetes.io/name"])
	}
	slices.Sort(scaled)
	if !slices.Equal(scaled, []string{"booking-worker", "gatewayd"}) {
		t.Errorf("autoscaled: %v, want the gateway and the worker", scaled)
	}
	job := only[*batchv1.Job](t, objs)
	if hook := job.Annotations["helm.sh/hook"]; hook != "pre-install,pre-upgrade" {
		t.Errorf("bootstrap Job hook %q, want pre-install,pre-upgrade", hook)
	}
	checkPodSpec(t, "Job "+job.Name, job.Spec.Template.Spec)
	var steps []string
	for _, c := range allContainers(job.Spec.Template.Spec) {
		if !slices.Equal(c.Args, []string{"bootstrap"}) {
			t.Errorf("bootstrap step %s runs %v", c.Name, c.Args)
		}
		steps = append(steps, c.Name)
	}
	if want := []string{"schedulingd", "paymentsd", "notificationsd", "reputationd", "bookingd", "gatewayd"}; !slices.Equal(steps, want) {
		t.Errorf("bootstrap steps %v, want %v", steps, want)
	}
	rules, err := observability.Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range all[*monitoringv1.PrometheusRule](objs) {
		var alerts []string
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				alerts = append(alerts, r.Alert)
			}
		}
		if len(alerts) != len(rules) {
			t.Errorf("PrometheusRule has alerts %v, want the %d of deploy/observability/alerts.yaml", alerts, len(rules))
		}
	}
	for _, sm := range all[*monitoringv1.ServiceMonitor](objs) {
		sel := selector(t, sm.Spec.Selector.MatchLabels)
		n := 0
		for _, s := range svcs {
			if sel.Matches(labels.Set(s.Labels)) && slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == sm.Spec.Endpoints[0].Port }) {
				n++
			}
		}
		if n != len(processes) {
			t.Errorf("ServiceMonitor scrapes %d services, want all %d", n, len(processes))
		}
	}
}

// checkConsole: consoled reaches the gateway through its rendered Service and
// port, serves on the port its Service targets, signs people in with the
// identity provider (never the development sign-in), and gets none of the
// back end's database, NATS or Temporal settings or secrets.
func checkConsole(t *testing.T, objs []runtime.Object) {
	t.Helper()
	env := deploymentEnv(t, objs, "consoled")
	u, err := url.Parse(env["CONSOLE_API_URL"])
	if err != nil || u.Scheme != "http" {
		t.Fatalf("consoled: CONSOLE_API_URL %q, want the gateway's http:// address", env["CONSOLE_API_URL"])
	}
	host, port, _ := strings.Cut(u.Host, ":")
	gw := slices.IndexFunc(all[*corev1.Service](objs), func(s *corev1.Service) bool {
		return host == s.Name+"."+namespace+".svc.cluster.local" && s.Spec.Selector["app.kubernetes.io/name"] == "gatewayd" &&
			slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == "http" && fmt.Sprint(p.Port) == port })
	})
	if gw < 0 {
		t.Errorf("consoled: CONSOLE_API_URL %s is not the gateway Service's http port", u)
	}
	want(t, env, "CONSOLE_HTTP_ADDR", ":3000")
	want(t, env, "CONSOLE_OIDC_ISSUER", "https://login.example.com/")
	want(t, env, "CONSOLE_OIDC_CLIENT_ID", "bookwell-console")
	want(t, env, "CONSOLE_OIDC_AUDIENCE", "https://api.example.com")
	want(t, env, "AUTH_ISSUER", "https://login.example.com/")
	want(t, env, "SERVICE_SIGNING_KEY_FILE", "/var/run/secrets/bookwell/service-signing-key/signing-key.pem")
	for k := range env {
		for _, no := range []string{"DATABASE_", "NATS_", "TEMPORAL_", "BOOKWELL_DEV", "CONSOLE_DEV_SIGNIN", "_GRPC_ADDR"} {
			if strings.HasPrefix(k, no) || strings.HasSuffix(k, no) {
				t.Errorf("consoled gets %s: the console reaches only the gateway", k)
			}
		}
	}
	if _, ok := env["CONSOLE_DIST_DIR"]; ok {
		t.Error("consoled: CONSOLE_DIST_DIR is the image's (deploy/images), the chart should not move it")
	}
}

// TestChartWithoutConsole: console.enabled=false leaves the back end whole.
func TestChartWithoutConsole(t *testing.T) {
	objs := render(t, nil, "--set", "console.enabled=false", "--set", "console.oidc.clientId=")
	checkObjects(t, objs, slices.DeleteFunc(slices.Clone(processes), func(p string) bool { return p == "consoled" }))
}

// checkPodSpec: non-root, mounts of declared volumes, *_FILE variables
// inside a mount, valid names.
func checkPodSpec(t *testing.T, what string, s corev1.PodSpec) {
	t.Helper()
	if s.SecurityContext == nil || s.SecurityContext.RunAsNonRoot == nil || !*s.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: runAsNonRoot wanted", what)
	}
	vols := map[string]corev1.Volume{}
	for _, v := range s.Volumes {
		if len(validation.IsDNS1123Label(v.Name)) > 0 {
			t.Errorf("%s: volume name %q", what, v.Name)
		}
		vols[v.Name] = v
	}
	for _, c := range allContainers(s) {
		if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
			t.Errorf("%s/%s: read-only root filesystem wanted", what, c.Name)
		}
		names := map[string]bool{}
		for _, e := range c.Env {
			if len(validation.IsEnvVarName(e.Name)) > 0 || names[e.Name] {
				t.Errorf("%s/%s: bad or repeated variable %q", what, c.Name, e.Name)
			}
			names[e.Name] = true
			if strings.HasSuffix(e.Name, "_FILE") && !fileMounted(c, vols, e.Value) {
				t.Errorf("%s/%s: %s=%s is not a key of a mounted Secret", what, c.Name, e.Name, e.Value)
			}
		}
		for _, m := range c.VolumeMounts {
			if _, ok := vols[m.Name]; !ok {
				t.Errorf("%s/%s: mounts undeclared volume %s", what, c.Name, m.Name)
			}
		}
		for _, p := range c.Ports {
			if len(validation.IsValidPortName(p.Name)) > 0 {
				t.Errorf("%s/%s: port name %q", what, c.Name, p.Name)
			}
		}
	}
}

// fileMounted: path is <mountPath>/<item path> of a Secret volume mounted in c.
func fileMounted(c corev1.Container, vols map[string]corev1.Volume, path string) bool {
	for _, m := range c.VolumeMounts {
		v := vols[m.Name]
		if v.Secret == nil {
			continue
		}
		for _, it := range v.Secret.Items {
			if filepath.Join(m.MountPath, it.Path) == path {
				return true
			}
		}
	}
	return false
}

var grpcTarget = regexp.MustCompile(`^dns:///([a-z0-9-]+)\.` + namespace + `\.svc\.cluster\.local:(\d+)$`)

// checkGRPCTargets: every *_GRPC_ADDR is either the process's own listen
// address or a DNS target naming a rendered headless Service and its port.
func checkGRPCTargets(t *testing.T, c corev1.Container, svcs []*corev1.Service) {
	t.Helper()
	for _, e := range c.Env {
		if !strings.HasSuffix(e.Name, "_GRPC_ADDR") || strings.HasPrefix(e.Value, ":") {
			continue
		}
		m := grpcTarget.FindStringSubmatch(e.Value)
		if m == nil {
			t.Errorf("%s: %s=%s is not a dns:/// target of a service in %s", c.Name, e.Name, e.Value, namespace)
			continue
		}
		ok := slices.ContainsFunc(svcs, func(s *corev1.Service) bool {
			return s.Name == m[1] && s.Spec.ClusterIP == corev1.ClusterIPNone &&
				slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return fmt.Sprint(p.Port) == m[2] })
		})
		if !ok {
			t.Errorf("%s: %s=%s names no headless Service with that port", c.Name, e.Name, e.Value)
		}
	}
}

func hasPort(c corev1.Container, port string) bool {
	return slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == port || fmt.Sprint(p.ContainerPort) == port
	})
}

func selector(t *testing.T, m map[string]string) labels.Selector {
	t.Helper()
	if len(m) == 0 {
		t.Fatal("empty selector: it would select everything")
	}
	return labels.SelectorFromSet(m)
}

func checkName(t *testing.T, kind, name string) {
	t.Helper()
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		t.Errorf("%s name %q: %v", kind, name, errs)
	}
}
