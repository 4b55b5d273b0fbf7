// deploy-check validates Switchyard's deployment files offline, for tools/deploy-check's spec:
//
//	deploy-check k8s [--external kind/name ...] < rendered.yaml   Kubernetes objects (kustomize build output)
//	deploy-check compose --env-file F docker-compose.yml           the Compose file, as Docker Compose loads it
//
// Each prints one JSON document on stdout (what it found, every problem by object and field) and exits 0 when
// there is no problem, 1 when there is, 2 when it could not run.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: deploy-check k8s|compose ...")
	}
	var (
		report any
		ok     bool
		err    error
	)
	switch os.Args[1] {
	case "k8s":
		report, ok, err = runK8s(os.Args[2:], os.Stdin)
	case "compose":
		report, ok, err = runCompose(os.Args[2:])
	default:
		fail("unknown command " + os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(report); err != nil {
		fail(err.Error())
	}
	if !ok {
		os.Exit(1)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "deploy-check:", msg)
	os.Exit(2)
}
