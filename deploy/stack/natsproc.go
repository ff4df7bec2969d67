package stack

import (
	"fmt"
	"strconv"
	"strings"
)

// NATSServerBinary is a NATS server with JetStream run as its own process
// (built from the nats-server module the workspace requires), so that it can
// be killed and started again like the bookwell binaries: on 127.0.0.1:port,
// streams stored in storeDir, ready once its monitoring endpoint on
// monitorPort answers /healthz (JetStream included).
func NATSServerBinary(name string, port, monitorPort int, storeDir string) Binary {
	addrEnv := "STACK_" + strings.ToUpper(name) + "_MONITOR_ADDR"
	return Binary{
		Name:    name,
		Package: "github.com/nats-io/nats-server/v2",
		Args: []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-m", strconv.Itoa(monitorPort),
			"-js", "-sd", storeDir},
		Ready: Readiness{Kind: ReadyHTTP, AddrEnv: addrEnv},
		Env:   map[string]string{addrEnv: fmt.Sprintf("127.0.0.1:%d", monitorPort)},
	}
}
