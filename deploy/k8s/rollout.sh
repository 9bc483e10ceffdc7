#!/bin/sh
# Ordered rollout: configuration, then the migration Job to completion, then the Deployments on the new image.
# Usage: deploy/k8s/rollout.sh registry.example.cn/pilot-platform:1.4.0
# The Secret pilot-secrets and the TLS Secret pilot-tls must exist (README.md). Stops at the first failure: if the
# Job fails, the running pods keep serving the old image against a schema they still understand.
set -eu
IMAGE=${1:?usage: rollout.sh IMAGE}
HERE=$(dirname "$0")
NS=pilot
image() { sed "s#image: pilot-platform:latest#image: $IMAGE#" "$HERE/$1"; }

kubectl apply -f "$HERE/namespace.yaml" -f "$HERE/configmap.yaml"
kubectl -n "$NS" get secret pilot-secrets >/dev/null

kubectl -n "$NS" delete job pilot-migrate --ignore-not-found --wait=true
image migrate-job.yaml | kubectl apply -f -
# The Job's own activeDeadlineSeconds bounds this wait; a failed Job stops the rollout with its log.
while :; do
  state=$(kubectl -n "$NS" get job pilot-migrate -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
  case "$state" in
    *Complete*) break ;;
    *Failed*) kubectl -n "$NS" logs job/pilot-migrate --tail=100; exit 1 ;;
  esac
  sleep 5
done

for manifest in web.yaml worker.yaml beat.yaml ingress.yaml; do
  image "$manifest" | kubectl apply -f -
done
kubectl -n "$NS" rollout status deployment/pilot-web --timeout=600s
kubectl -n "$NS" rollout status deployment/pilot-worker --timeout=600s
kubectl -n "$NS" rollout status deployment/pilot-beat --timeout=600s
