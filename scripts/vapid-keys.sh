#!/usr/bin/env bash
# Creates the deployment's VAPID key pair for Web Push once, in SSM Parameter
# Store, outside Terraform (so the private key is never in Terraform state):
#   /<name>/<environment>/vapid/private-key  SecureString, read only by the notify Lambda's role
#   /<name>/<environment>/vapid/public-key   String, read by push-key and notify
# The CI deploy runs it before terraform apply; a second run changes nothing.
# With --rotate it replaces both (README.md, "Rotating the VAPID key").
#
#   scripts/vapid-keys.sh [--rotate] [name] [environment]    (defaults: parley production)
set -euo pipefail
rotate=false
if [[ "${1:-}" == "--rotate" ]]; then
  rotate=true
  shift
fi
name="${1:-parley}"
environment="${2:-production}"
prefix="/${name}/${environment}/vapid"

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
go run "$(dirname "$0")/vapid-keys.go" "$dir"

# The private key first, and only if there is none (unless rotating): the
# public key is written only beside a private key this run wrote, so the two
# always match. The values go by file, never on a command line or in a log.
if $rotate; then
  aws ssm put-parameter --name "$prefix/private-key" --type SecureString --value "file://$dir/private-key" --overwrite >/dev/null
else
  if ! out="$(aws ssm put-parameter --name "$prefix/private-key" --type SecureString --value "file://$dir/private-key" --no-overwrite 2>&1 >/dev/null)"; then
    if [[ "$out" == *ParameterAlreadyExists* ]]; then
      echo "vapid-keys: $prefix exists; nothing to do"
      exit 0
    fi
    echo "vapid-keys: $out" >&2
    exit 1
  fi
fi
aws ssm put-parameter --name "$prefix/public-key" --type String --value "file://$dir/public-key" --overwrite >/dev/null
echo "vapid-keys: wrote a new key pair under $prefix"
