locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  prefix       = "${var.name}-${var.environment}"
  github_oidc  = "token.actions.githubusercontent.com"
  state_bucket = "${var.name}-tfstate-${local.account_id}-${var.region}"
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

# What applying the stack needs, on its own resources where the service allows
# it (the names all start with <name>-<environment>).
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "State"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
  }

  statement {
    sid     = "StackResources"
    actions = ["dynamodb:*", "lambda:*", "logs:*", "s3:*"]
    resources = [
      "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.prefix}",
      "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${local.prefix}-*",
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/lambda/${local.prefix}-*",
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/apigateway/${local.prefix}*",
      "arn:${local.partition}:s3:::${local.prefix}-spa-*",
    ]
  }

  statement {
    sid       = "Roles"
    actions   = ["iam:*Role", "iam:*RolePolicy", "iam:*RolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:TagRole", "iam:UntagRole", "iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${local.prefix}-*"]
  }

  # These services have no resource names known before creation (random IDs).
  statement {
    sid       = "ServicesWithGeneratedIds"
    actions   = ["apigateway:*", "cloudfront:*", "cognito-idp:*", "logs:DescribeLogGroups", "logs:ListTagsForResource", "lambda:GetAccountSettings", "dynamodb:ListTables", "s3:ListAllMyBuckets"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "${local.prefix}-github-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# Pull requests get a plan from a role that can read but not change.
resource "aws_iam_role" "plan" {
  count = var.create_plan_role ? 1 : 0

  name                 = "${local.prefix}-github-plan"
  description          = "GitHub Actions plans the ${local.prefix} stack for pull requests (read only)."
  assume_role_policy   = data.aws_iam_policy_document.github_trust["plan"].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  count = var.create_plan_role ? 1 : 0

  role       = aws_iam_role.plan[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
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
