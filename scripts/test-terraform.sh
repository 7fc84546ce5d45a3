#!/usr/bin/env bash
# Tests everything under terraform/ and .github/, offline:
#   1. terraform fmt -check;
#   2. terraform init (provider from the local mirror when there is one) and validate,
#      for the stack and for terraform/bootstrap;
#   3. actionlint on the workflows;
#   4. against moto_server on 127.0.0.1, with the endpoint overrides in a temporary copy
#      only: apply of terraform/bootstrap, then of the stack, a second plan that must
#      be empty, a plan -refresh=false, a change, destroy of both; timings printed;
#      nothing may be left in state; every phase with the AWS provider's debug log,
#      which records every request it sends;
#   5. npm ci --prefix terraform/iam, then go test ./terraform/: the route parity test,
#      the checks of the applied state (least privilege, public access, PITR, HTTPS, log
#      retention), and the IAM checks: every recorded request allowed to the deploy role,
#      the plan role's plan, each Lambda's calls, the deploy role's forbidden cases, every
#      Allow granting what it names, the size limits, all decided with AWS's reference
#      and a maintained simulator (terraform/iam).
# Needs terraform, go, npm and moto_server: without moto_server it fails, unless
# PARLEY_SKIP_MOTO=1 asks to skip step 4 (and says so loudly). Runs with no stdin and cleans up after itself;
# PARLEY_TERRAFORM_LOGS=DIR keeps the terraform and moto logs and the state JSON.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

actionlint_version=v1.7.12
moto_version=5.2.1
mirror=/opt/tf-plugins

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-terraform.XXXXXX")
moto_pid=
cleanup() {
  local status=$?
  [ -z "${progress_pid:-}" ] || kill "$progress_pid" 2>/dev/null || true
  if [ -n "$moto_pid" ] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [ -n "${PARLEY_TERRAFORM_LOGS:-}" ]; then
    mkdir -p "$PARLEY_TERRAFORM_LOGS" && cp "$work"/*.log "$work"/*.json "$PARLEY_TERRAFORM_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

command -v terraform >/dev/null || fail "terraform not found (1.11.x is needed)"
command -v go >/dev/null || fail "go not found"

# Terraform's own CLI configuration: the environment may point TF_CLI_CONFIG_FILE
# at a file that does not exist, and the only provider source offline is the mirror.
export TF_CLI_CONFIG_FILE="$work/terraform.rc"
if [ -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
  cat >"$TF_CLI_CONFIG_FILE" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
else
  : >"$TF_CLI_CONFIG_FILE"
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE TF_DATA_DIR

# copy_module SRC DST: a working copy of a module without local state or
# overrides, with a local backend so nothing reaches a remote state; its
# local modules (modules/*/*.tf) come along.
copy_module() {
  mkdir -p "$2"
  (cd "$1" && find . -maxdepth 1 -type f \( -name '*.tf' -o -name '.terraform.lock.hcl' -o -name 'security-headers.json' \) ! -name '*_override.tf' -exec cp {} "$2/" \;)
  if [ -d "$1/modules" ]; then
    (cd "$1" && find modules -mindepth 2 -maxdepth 2 -type f -name '*.tf' ! -name '*_override.tf') | while read -r f; do
      mkdir -p "$2/$(dirname "$f")" && cp "$1/$f" "$2/$f"
    done
  fi
  cat >"$2/backend_override.tf" <<'EOF'
terraform {
  backend "local" {}
}
EOF
}

# init_module DIR: init offline; a committed lock file must already be right.
init_module() {
  local lock=()
  if [ -f "$1/.terraform.lock.hcl" ]; then lock=(-lockfile=readonly); fi
  terraform -chdir="$1" init -input=false -no-color "${lock[@]}" >"$work/init.log" 2>&1 ||
    { cat "$work/init.log"; fail "terraform init in $1"; }
}

# moto_provider [ALIAS]: a provider block pointing the AWS provider (or its
# alias) at moto.
moto_provider() {
  local alias_line=
  [ -z "${1:-}" ] || alias_line="  alias                       = \"$1\""
  cat <<EOF
provider "aws" {
$alias_line
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2   = "$endpoint"
    cloudfront     = "$endpoint"
    cloudwatch     = "$endpoint"
    cloudwatchlogs = "$endpoint"
    cognitoidp     = "$endpoint"
    dynamodb       = "$endpoint"
    iam            = "$endpoint"
    kms            = "$endpoint"
    lambda         = "$endpoint"
    s3             = "$endpoint"
    sqs            = "$endpoint"
    sns            = "$endpoint"
    sts            = "$endpoint"
    wafv2          = "$endpoint"
  }
}
EOF
}

# write_moto_override DIR: point the module's providers at moto, in the copy
# only: the default one and every alias the module configures (the stack's
# us_east_1, where its CloudFront web ACL lives).
write_moto_override() {
  {
    moto_provider
    for alias in $(sed -nE 's/^[[:space:]]*alias[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$1"/*.tf | sort -u); do
      echo
      moto_provider "$alias"
    done
  } >"$1/moto_override.tf"
}

step "terraform fmt -check -recursive terraform"
terraform fmt -check -recursive -diff terraform || fail "run: terraform fmt -recursive terraform"

stack="$work/stack"
bootstrap="$work/bootstrap"
copy_module terraform "$stack"
copy_module terraform/bootstrap "$bootstrap"

for module in "$stack" "$bootstrap"; do
  step "terraform init and validate: ${module#"$work"/}"
  init_module "$module"
  terraform -chdir="$module" validate -no-color
done

step "actionlint $actionlint_version"
go run "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version" -no-color .github/workflows/*.yml
echo "workflows OK"

# progress LOG LABEL: while the caller's long terraform command writes LOG,
# print every 15 s how many resources it has finished, so a minute-long
# apply is not a silent one. Stop it with stop_progress.
progress_pid=
progress() {
  local log=$1 label=$2
  (
    start=$SECONDS
    while sleep 15; do
      done_count=$(grep -cE '(Creation|Destruction|Modifications) complete' "$log" 2>/dev/null || true)
      printf '  %s: %s resources done after %ds\n' "$label" "${done_count:-0}" "$((SECONDS - start))"
    done
  ) &
  progress_pid=$!
}
stop_progress() {
  [ -z "$progress_pid" ] || { kill "$progress_pid" 2>/dev/null || true; wait "$progress_pid" 2>/dev/null || true; }
  progress_pid=
}

# recorded PHASE terraform ARGS...: run terraform with the AWS provider's
# debug log in $work/aws-PHASE.log: every HTTP request it sends to AWS (here
# moto), with its service, operation, URL and body. The IAM checks of
# terraform/iam_test.go read them (what the provider really calls, not a list).
recorded() {
  local phase=$1
  shift
  TF_LOG_PROVIDER=DEBUG TF_LOG_PATH="$work/aws-$phase.log" "$@"
}

# install_moto: moto_server into a project-local virtual environment, at the
# version CI pins, when pip can reach its package index.
install_moto() {
  local venv="$root/.tmp/moto-venv"
  command -v python3 >/dev/null || return 1
  echo "moto_server not found: installing moto[server]==$moto_version into .tmp/moto-venv"
  { [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"; } &&
    timeout 300 "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version" || return 1
  export PATH="$venv/bin:$PATH"
}

state_json=
bootstrap_state_json=
headers_plan_json=
domain_plan_json=
if ! command -v moto_server >/dev/null && [ -x "$root/.tmp/moto-venv/bin/moto_server" ]; then
  export PATH="$root/.tmp/moto-venv/bin:$PATH"
fi
if ! command -v moto_server >/dev/null && [ "${PARLEY_SKIP_MOTO:-0}" != 1 ]; then
  install_moto || fail "moto_server not found and pip could not install it: run pip install 'moto[server]==$moto_version' (the version CI uses), or set PARLEY_SKIP_MOTO=1 to skip the apply/destroy test"
fi
if ! command -v moto_server >/dev/null; then
  echo "SKIPPED: the apply/destroy test against moto_server and the applied-state checks (PARLEY_SKIP_MOTO=1)"
else
  step "apply and destroy against moto_server"

  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null && break
    kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log"; fail "moto_server exited"; }
    sleep 0.2
  done
  curl -fsS -o /dev/null "$endpoint/moto-api/" || { cat "$work/moto.log"; fail "moto_server did not start on $endpoint"; }
  echo "moto_server on $endpoint (pid $moto_pid)"

  # The bootstrap first, as in an account: the stack's roles carry its
  # permissions boundary, and the IAM checks evaluate the stack's recorded
  # requests against its deploy role. environment matches the stack's.
  step "apply terraform/bootstrap against moto_server"
  write_moto_override "$bootstrap"
  init_module "$bootstrap"
  bootstrap_vars=(-var github_repository=parley-chat/parley -var environment=test -var manage_api_gateway_account=false)
  TIMEFORMAT='bootstrap apply took %1Rs'
  time recorded bootstrap-apply terraform -chdir="$bootstrap" apply -auto-approve -input=false -no-color "${bootstrap_vars[@]}" >"$work/bootstrap-apply.log" 2>&1 ||
    { cat "$work/bootstrap-apply.log"; fail "terraform apply of bootstrap against moto"; }
  grep -E '^Apply complete' "$work/bootstrap-apply.log"
  bootstrap_state_json="$work/bootstrap-state.json"
  terraform -chdir="$bootstrap" show -json >"$bootstrap_state_json"
  boundary_arn=$(terraform -chdir="$bootstrap" output -raw permissions_boundary_arn)
  recorded bootstrap-plan terraform -chdir="$bootstrap" plan -input=false -no-color "${bootstrap_vars[@]}" >"$work/bootstrap-plan.log" 2>&1 ||
    { cat "$work/bootstrap-plan.log"; fail "terraform plan of bootstrap against moto"; }

  write_moto_override "$stack"

  # The real Lambda zips when `make build` made them all, else one tiny zip per route.
  # The folders of lambdas/ are the functions of locals.functions (terraform_test.go proves it).
  routes=$(cd lambdas && for d in */; do [ -f "$d/main.go" ] && echo "${d%/}"; done)
  [ -n "$routes" ] || fail "no functions found in lambdas/"
  artifacts="$root/out"
  for route in $routes; do
    if [ ! -f "$artifacts/$route.zip" ]; then artifacts="$work/zips"; fi
  done
  if [ "$artifacts" = "$work/zips" ]; then
    mkdir -p "$work/zips/src"
    printf '#!/bin/sh\necho fixture\n' >"$work/zips/src/bootstrap"
    chmod +x "$work/zips/src/bootstrap"
    for route in $routes; do
      (cd "$work/zips/src" && zip -q "$work/zips/$route.zip" bootstrap)
    done
  fi
  echo "lambda artifacts: $artifacts"

  dist="$root/frontend/dist"
  if [ ! -f "$dist/index.html" ]; then
    dist="$work/dist"
    mkdir -p "$dist/assets"
    printf '<!doctype html><title>Parley</title><script type="module" src="/assets/index-abc123.js"></script>\n' >"$dist/index.html"
    printf 'console.log("parley")\n' >"$dist/assets/index-abc123.js"
    printf 'body{margin:0}\n' >"$dist/assets/index-abc123.css"
    printf '{"name":"Parley"}\n' >"$dist/manifest.webmanifest"
    printf '{"apiURL":"stale"}\n' >"$dist/config.json"
  fi
  echo "SPA: $dist"

  # moto has no CloudFront Functions nor response headers policies: the test
  # turns the SPA fallback off and uses the managed SecurityHeadersPolicy by ID.
  # moto ignores policy conditions, so the buckets' deny of plain HTTP (and the
  # feeds bucket's deny of changes by anyone but the deployer) would deny
  # everything. Nothing waits for CloudFront to deploy, and destroy needs no
  # deletion protection. (moto has no API Gateway UpdateAccount: the bootstrap
  # above leaves the account's CloudWatch role alone.)
  cat >"$stack/moto.auto.tfvars" <<EOF
environment                        = "test"
lambda_artifacts_dir               = "$artifacts"
spa_dist_dir                       = "$dist"
table_deletion_protection          = false
user_pool_deletion_protection      = false
spa_fallback_to_index              = false
response_headers_policy_id         = "67f7725c-6f97-4210-82d7-5512b31e9d03"
spa_bucket_deny_insecure_transport = false
feeds_bucket_strict_policy         = false
feeds_cache_policy_id              = "658327ea-f89d-4fab-a63d-7e88639e58f6"
feeds_response_headers_policy_id   = "60669652-455b-4ae9-85a4-c4c02393f86c"
cloudfront_wait_for_deployment     = false
permissions_boundary_arn           = "$boundary_arn"
EOF

  init_module "$stack"
  TIMEFORMAT='apply took %1Rs'
  progress "$work/apply.log" apply
  time recorded stack-apply terraform -chdir="$stack" apply -auto-approve -input=false -no-color >"$work/apply.log" 2>&1 ||
    { stop_progress; cat "$work/apply.log"; tail -n 50 "$work/moto.log"; fail "terraform apply against moto"; }
  stop_progress
  grep -E '^Apply complete' "$work/apply.log"
  echo "slowest to create:"
  grep -E 'Creation complete after' "$work/apply.log" | sed -E 's/^(.*): Creation complete after ([0-9ms]+).*/\2 \1/' |
    sort -t' ' -k1,1 -V -r | awk 'NR <= 5 { print "  " $0 }'
  terraform -chdir="$stack" state list >"$work/resources.txt"
  echo "$(wc -l <"$work/resources.txt") resources in state:"
  sed -E 's/\[.*\]$//' "$work/resources.txt" | sort | uniq -c
  terraform -chdir="$stack" output -no-color
  state_json="$work/state.json"
  terraform -chdir="$stack" show -json >"$state_json"

  # A second plan must find nothing to do (no perpetual diff), but for what moto
  # reads back unlike AWS: the distribution (it adds forwarded_values next to a
  # cache policy and rewrites origins) and the bucket policies that name it
  # (the SPA's and the feeds').
  set +e
  recorded stack-plan terraform -chdir="$stack" plan -detailed-exitcode -input=false -no-color >"$work/replan.log" 2>&1
  replan=$?
  set -e
  case $replan in
    0) echo "plan after apply: no changes" ;;
    2)
      changes=$(sed -nE 's/^  # ([^ ]+) (will be (updated|created|destroyed|replaced)|must be replaced).*/\1/p' "$work/replan.log" |
        grep -vE '^(aws_cloudfront_distribution\.spa|module\.(spa|feeds)_bucket\.aws_s3_bucket_policy\.origin)$' || true)
      if [ -n "$changes" ]; then
        grep -E '^  # |^Plan:' "$work/replan.log"
        fail "plan after apply wants to change: $changes"
      fi
      echo "plan after apply: no changes but moto's CloudFront read-back"
      ;;
    *) cat "$work/replan.log"; fail "plan after apply" ;;
  esac

  # moto has no response headers policies, so the stack above uses a managed
  # one; a plan of the applied stack with Parley's own shows the policy
  # CloudFront would get, with the stack's real origins (hosting_test.go).
  printf 'response_headers_policy_id = null\n' >"$work/own-headers.tfvars"
  headers_plan_json="$work/headers-plan.json"
  terraform -chdir="$stack" plan -refresh=false -input=false -no-color -lock=false -var-file="$work/own-headers.tfvars" \
    -out="$work/headers.tfplan" >"$work/headers-plan.log" 2>&1 || { cat "$work/headers-plan.log"; fail "plan with Parley's own security headers policy"; }
  terraform -chdir="$stack" show -json "$work/headers.tfplan" >"$headers_plan_json"
  echo "planned Parley's own security headers policy"

  # What a pull request's plan role runs: no read of any resource.
  recorded plan-role terraform -chdir="$stack" plan -refresh=false -input=false -no-color -lock=false >"$work/plan-norefresh.log" 2>&1 ||
    { cat "$work/plan-norefresh.log"; fail "terraform plan -refresh=false"; }

  # A change, as a later deploy makes one: every function's memory, the
  # distribution's price class, the table's point-in-time recovery. (Not a
  # tag: moto implements no Cognito TagResource.)
  step "apply a change (lambda_memory_size, cloudfront_price_class, point_in_time_recovery) against moto_server"
  TIMEFORMAT='change took %1Rs'
  change_vars=(-var lambda_memory_size=512 -var cloudfront_price_class=PriceClass_200 -var point_in_time_recovery=false)
  progress "$work/change.log" change
  time recorded stack-change terraform -chdir="$stack" apply -auto-approve -input=false -no-color \
    "${change_vars[@]}" >"$work/change.log" 2>&1 ||
    { stop_progress; cat "$work/change.log"; tail -n 50 "$work/moto.log"; fail "terraform apply of a change against moto"; }
  stop_progress
  grep -E '^Apply complete' "$work/change.log"

  TIMEFORMAT='destroy took %1Rs'
  progress "$work/destroy.log" destroy
  time recorded stack-destroy terraform -chdir="$stack" destroy -auto-approve -input=false -no-color \
    "${change_vars[@]}" >"$work/destroy.log" 2>&1 ||
    { stop_progress; cat "$work/destroy.log"; tail -n 50 "$work/moto.log"; fail "terraform destroy against moto"; }
  stop_progress
  grep -E '^Destroy complete' "$work/destroy.log"
  echo "slowest to destroy:"
  grep -E 'Destruction complete after' "$work/destroy.log" | sed -E 's/^(.*): Destruction complete after ([0-9ms]+).*/\2 \1/' |
    sort -t' ' -k1,1 -V -r | awk 'NR <= 5 { print "  " $0 }'
  left=$(terraform -chdir="$stack" state list | wc -l)
  [ "$left" -eq 0 ] || { terraform -chdir="$stack" state list; fail "destroy left $left resources in state"; }
  echo "state is empty after destroy"

  step "plan with a custom domain (CloudFront alias, ACM certificate, TLS 1.2)"
  domain_vars=(-var custom_domain=chat.example.com
    -var custom_domain_certificate_arn=arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000)
  terraform -chdir="$stack" plan -input=false -no-color -lock=false "${domain_vars[@]}" -out="$work/domain.tfplan" >"$work/domain-plan.log" 2>&1 ||
    { cat "$work/domain-plan.log"; fail "plan with a custom domain"; }
  domain_plan_json="$work/domain-plan.json"
  terraform -chdir="$stack" show -json "$work/domain.tfplan" >"$domain_plan_json"
  echo "planned with chat.example.com"
  if terraform -chdir="$stack" plan -input=false -no-color -lock=false -var custom_domain=chat.example.com >"$work/domain-refused.log" 2>&1; then
    fail "a custom domain without its certificate was accepted"
  fi
  grep -q "go together" "$work/domain-refused.log" || { cat "$work/domain-refused.log"; fail "a custom domain without its certificate: wrong error"; }
  echo "a custom domain without its certificate is refused"


  step "destroy terraform/bootstrap against moto_server"
  TIMEFORMAT='bootstrap destroy took %1Rs'
  time recorded bootstrap-destroy terraform -chdir="$bootstrap" destroy -auto-approve -input=false -no-color "${bootstrap_vars[@]}" >"$work/bootstrap-destroy.log" 2>&1 ||
    { cat "$work/bootstrap-destroy.log"; fail "terraform destroy of bootstrap against moto"; }
  grep -E '^Destroy complete' "$work/bootstrap-destroy.log"
  [ "$(terraform -chdir="$bootstrap" state list | wc -l)" -eq 0 ] || fail "bootstrap destroy left resources in state"
fi

step "go test ./terraform/ (route parity; checks of the applied state; IAM against the recorded requests)"
if [ -n "$state_json" ]; then
  # AWS's IAM reference and a maintained policy simulator, pinned by
  # terraform/iam/package-lock.json, answer the IAM checks.
  command -v npm >/dev/null || fail "npm not found (Node.js 20 or newer runs the IAM checks)"
  npm ci --prefix terraform/iam --no-audit --no-fund --loglevel=error >"$work/npm-ci.log" 2>&1 ||
    { cat "$work/npm-ci.log"; fail "npm ci --prefix terraform/iam"; }
  export PARLEY_TERRAFORM_STATE_JSON="$state_json"
  export PARLEY_TERRAFORM_BOOTSTRAP_STATE_JSON="$bootstrap_state_json"
  export PARLEY_TERRAFORM_CUSTOM_DOMAIN_PLAN_JSON="$domain_plan_json"
  export PARLEY_TERRAFORM_HEADERS_PLAN_JSON="$headers_plan_json"
  export PARLEY_TERRAFORM_REQUESTS_DIR="$work"
  export PARLEY_IAM_REPORT="$work/iam-report.txt"
  : >"$PARLEY_IAM_REPORT"
elif [ "${PARLEY_SKIP_MOTO:-0}" != 1 ]; then
  fail "no state to check"
fi
go test -count=1 ./terraform/
if [ -n "$state_json" ]; then
  echo "IAM, as AWS's reference and iam-simulate decide it:"
  sed 's/^/  /' "$PARLEY_IAM_REPORT"
fi

if [ "${PARLEY_SKIP_MOTO:-0}" != 1 ]; then
  # moto_server is here for sure: the feed Lambda's S3 writer against it
  # (test-go skips it where moto_server is not installed yet).
  step "go test ./adapters/s3/ (snapshot writes, conditional PUTs) against moto_server"
  PARLEY_REQUIRE_MOTO=1 go test -count=1 ./adapters/s3/
fi

echo
echo "terraform tests passed"
