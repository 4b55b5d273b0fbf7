#!/usr/bin/env bash
# One fresh password for every user of deploy/k8s/nats/nats-server.conf, as KEY=value lines:
#
#   deploy/generate-nats-passwords.sh > .env            # docker compose reads .env next to docker-compose.yml
#   kubectl -n switchyard create secret generic switchyard-nats --from-env-file=<(deploy/generate-nats-passwords.sh)
#
# Each starts with a letter: nats-server reads a variable's value as a configuration token, and one that
# starts with a digit is taken for a number and refused.
set -euo pipefail
for user in INGRESS ANALYZER DECISION_ENGINE PROVIDER_ADAPTERS FEEDBACK_AGGREGATOR RULE_OPTIMIZER ALL_IN_ONE ADMIN TENANT_DEMO; do
  printf 'NATS_%s_PASSWORD=p%s\n' "$user" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
done
