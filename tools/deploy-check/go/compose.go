package main

// The Compose file, loaded by compose-go: the library Docker Compose itself loads files with. It validates the
// file against the Compose Specification's JSON schema (embedded in the module), interpolates variables
// (`${VAR:?message}` fails when VAR is unset), resolves paths and checks consistency (depends_on, volumes and
// networks that are declared, ...). That is what `docker compose config -q` does, without a Docker CLI plugin
// (not installed here) or an engine. The loaded project is printed as JSON for the spec's own checks.

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

type composeReport struct {
	Valid    bool            `json:"valid"`
	Problems []string        `json:"problems"`
	Project  json.RawMessage `json:"project,omitempty"`
}

func runCompose(args []string) (any, bool, error) {
	fs := flag.NewFlagSet("compose", flag.ContinueOnError)
	envFile := fs.String("env-file", "", "variables to interpolate, as `docker compose --env-file` (the process environment is not read)")
	name := fs.String("project-name", "switchyard", "project name")
	if err := fs.Parse(args); err != nil {
		return nil, false, err
	}
	if fs.NArg() == 0 {
		return nil, false, os.ErrInvalid
	}
	dir, err := filepath.Abs(filepath.Dir(fs.Arg(0)))
	if err != nil {
		return nil, false, err
	}
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(dir),
		cli.WithName(*name),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	}
	if *envFile != "" {
		opts = append(opts, cli.WithEnvFiles(*envFile), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions(fs.Args(), opts...)
	if err != nil {
		return nil, false, err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return &composeReport{Valid: false, Problems: []string{err.Error()}}, false, nil
	}
	raw, err := project.MarshalJSON()
	if err != nil {
		return nil, false, err
	}
	return &composeReport{Valid: true, Problems: []string{}, Project: raw}, true, nil
}
