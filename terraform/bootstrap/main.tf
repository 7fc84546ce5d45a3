locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  prefix       = "${var.name}-${var.environment}"
  github_oidc  = "token.actions.githubusercontent.com"
  state_bucket = "${local.prefix}-tfstate-${local.account_id}-${var.region}"
  oidc_provider_arn = (var.create_github_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
  : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_oidc}")
}

# Remote state: versioned (every earlier state is kept: a few KB per apply),
# encrypted, private, TLS only. Locking uses S3 itself (use_lockfile), so no
# DynamoDB lock table is needed.
resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket     = aws_s3_bucket.state.id
  policy     = data.aws_iam_policy_document.state_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.state]
}

# GitHub Actions' OIDC identity provider: workflows get short-lived credentials
# and no AWS secret is ever stored in GitHub.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc}"
  client_id_list = ["sts.amazonaws.com"]
}

# Who may assume each GitHub role: the deploy role only jobs of this
# repository that run in the protected environment, the plan role its pull
# requests.
locals {
  github_role_subjects = {
    deploy = "repo:${var.github_repository}:environment:${var.github_environment}"
    plan   = "repo:${var.github_repository}:pull_request"
  }
}

data "aws_iam_policy_document" "github_trust" {
  for_each = local.github_role_subjects

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:sub"
      values   = [each.value]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.prefix}-github-deploy"
  description          = "GitHub Actions applies the ${local.prefix} stack."
  assume_role_policy   = data.aws_iam_policy_document.github_trust["deploy"].json
  max_session_duration = 3600
}

# The deploy role's policies and the permissions boundary: deploy.tf.

# Pull requests get a plan from a role that reads the state and nothing else:
# the workflow plans with -refresh=false (what the change would do to the
# recorded state), so it needs no read of any resource, let alone its data,
# and a pull request cannot read a message, a log event or an object.
resource "aws_iam_role" "plan" {
  count = var.create_plan_role ? 1 : 0

  name                 = "${local.prefix}-github-plan"
  description          = "GitHub Actions plans the ${local.prefix} stack for pull requests (reads the state only)."
  assume_role_policy   = data.aws_iam_policy_document.github_trust["plan"].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "plan_state" {
  statement {
    sid       = "ReadState"
    actions   = ["s3:ListBucket", "s3:GetObject"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
  }
}

resource "aws_iam_role_policy" "plan_state" {
  count = var.create_plan_role ? 1 : 0

  name   = "${local.prefix}-github-plan-state"
  role   = aws_iam_role.plan[0].id
  policy = data.aws_iam_policy_document.plan_state.json
}

# API Gateway's CloudWatch logging role is one setting per account and region
# (WebSocket access logs need it): set here, once, by the first bootstrap of the
# account and region, never by a stack, so no stack overwrites another's and no
# destroy leaves it pointing at a deleted role. AWS's managed policy lets API
# Gateway create and write any of its log groups, /aws/apigateway/welcome (its
# test write when the setting changes) included.
data "aws_iam_policy_document" "api_gateway_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  name                 = "${var.name}-apigateway-cloudwatch-${var.region}"
  path                 = "/${var.name}/"
  description          = "API Gateway writes the access logs of every API in ${var.region} (account-wide setting)."
  assume_role_policy   = data.aws_iam_policy_document.api_gateway_assume_role.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  role       = aws_iam_role.api_gateway_cloudwatch[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn
  depends_on          = [aws_iam_role_policy_attachment.api_gateway_cloudwatch]
}
