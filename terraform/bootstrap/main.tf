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

locals {
  arn_prefix = {
    dynamodb = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}"
    lambda   = "arn:${local.partition}:lambda:${var.region}:${local.account_id}"
    logs     = "arn:${local.partition}:logs:${var.region}:${local.account_id}"
    iam      = "arn:${local.partition}:iam::${local.account_id}"
    cognito  = "arn:${local.partition}:cognito-idp:${var.region}:${local.account_id}"
    cdn      = "arn:${local.partition}:cloudfront::${local.account_id}"
  }
  stack_roles   = "${local.arn_prefix.iam}:role/${local.prefix}-*"
  boundary_name = "${local.prefix}-boundary"
  boundary_arn  = "${local.arn_prefix.iam}:policy/${local.boundary_name}"
  # The roles of this bootstrap: the deploy role matches role/<prefix>-* but
  # may never change itself nor the plan role.
  github_roles = [
    "${local.arn_prefix.iam}:role/${local.prefix}-github-deploy",
    "${local.arn_prefix.iam}:role/${local.prefix}-github-plan",
  ]
}

# The permissions boundary of every role the stack creates (its Lambdas): the
# most any of them may ever do, whatever policy the deploy role writes into
# it. Only this stack's table, log groups, WebSocket connections, buckets and
# queues; nothing in IAM.
data "aws_iam_policy_document" "boundary" {
  statement {
    sid = "TableItems"
    actions = [
      "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
      "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
      "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
    ]
    resources = [
      "${local.arn_prefix.dynamodb}:table/${local.prefix}",
      "${local.arn_prefix.dynamodb}:table/${local.prefix}/index/*",
      "${local.arn_prefix.dynamodb}:table/${local.prefix}/stream/*",
    ]
  }

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn_prefix.logs}:log-group:/aws/lambda/${local.prefix}-*:*"]
  }

  # API Gateway's account-wide logging role writes the APIs' access logs.
  statement {
    sid       = "ApiAccessLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"]
    resources = ["${local.arn_prefix.logs}:log-group:/aws/apigateway/${local.prefix}*:*"]
  }

  statement {
    sid       = "WebSocketConnections"
    actions   = ["execute-api:ManageConnections"]
    resources = ["arn:${local.partition}:execute-api:${var.region}:${local.account_id}:*/*/*/@connections/*"]
  }

  statement {
    sid       = "StackObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${local.partition}:s3:::${local.prefix}-*/*"]
  }

  statement {
    sid       = "StackQueues"
    actions   = ["sqs:SendMessage"]
    resources = ["arn:${local.partition}:sqs:${var.region}:${local.account_id}:${local.prefix}-*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "boundary" {
  name        = local.boundary_name
  description = "Permissions boundary of every role of the ${local.prefix} stack."
  policy      = data.aws_iam_policy_document.boundary.json
}

# What applying the stack needs: named actions, on this stack's resources
# (their names all start with <name>-<environment>) wherever the service lets
# a policy name them before they exist; where it does not (API Gateway,
# CloudFront and Cognito name resources by generated IDs), on that service's
# resources of this account and region. No action reads data: no table item,
# no log event, no object outside the state bucket and the SPA bucket.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "State"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
  }

  statement {
    sid = "Table"
    actions = [
      "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
      "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups",
      "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive",
      "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
    ]
    resources = ["${local.arn_prefix.dynamodb}:table/${local.prefix}"]
  }

  statement {
    sid = "Functions"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion",
      "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:GetRuntimeManagementConfig",
      "lambda:GetFunctionRecursionConfig", "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency", "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy",
      "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
    ]
    resources = ["${local.arn_prefix.lambda}:function:${local.prefix}-*"]
  }

  statement {
    sid = "LogGroups"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
      "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
    ]
    resources = [
      "${local.arn_prefix.logs}:log-group:/aws/lambda/${local.prefix}-*",
      "${local.arn_prefix.logs}:log-group:/aws/apigateway/${local.prefix}*",
    ]
  }

  # Listing log groups and wiring the API's access logs are account-level
  # actions: they name no resource, and read no log event.
  statement {
    sid = "LogConfiguration"
    actions = [
      "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
    ]
    resources = ["*"]
  }

  statement {
    sid = "ReadStackRoles"
    actions = [
      "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole", "iam:ListRoleTags",
    ]
    resources = [local.stack_roles]
  }

  # A role is created, and its policies changed, only with the boundary: no
  # role of the stack can ever do more than the boundary allows.
  statement {
    sid = "WriteStackRolesWithTheBoundary"
    actions = [
      "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
    ]
    resources = [local.stack_roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid = "ChangeStackRoles"
    actions = [
      "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole",
    ]
    resources = [local.stack_roles]
  }

  statement {
    sid       = "PassStackRolesToLambda"
    actions   = ["iam:PassRole"]
    resources = [local.stack_roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  # The logging role of API Gateway (WebSocket access logs), set account-wide.
  statement {
    sid       = "PassTheLoggingRoleToApiGateway"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn_prefix.iam}:role/${local.prefix}-apigateway-logs"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["apigateway.amazonaws.com"]
    }
  }

  statement {
    sid       = "ApiGatewayAccountLogging"
    actions   = ["apigateway:GET", "apigateway:PATCH"]
    resources = ["arn:${local.partition}:apigateway:${var.region}::/account"]
  }

  statement {
    sid     = "HttpAndWebSocketApis"
    actions = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
    resources = [
      "arn:${local.partition}:apigateway:${var.region}::/apis",
      "arn:${local.partition}:apigateway:${var.region}::/apis/*",
      "arn:${local.partition}:apigateway:${var.region}::/tags/*",
    ]
  }

  statement {
    sid = "UserPool"
    actions = [
      "cognito-idp:DeleteUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool",
      "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
      "cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient", "cognito-idp:DescribeUserPoolClient",
      "cognito-idp:UpdateUserPoolClient", "cognito-idp:CreateUserPoolDomain", "cognito-idp:DeleteUserPoolDomain",
      "cognito-idp:UpdateUserPoolDomain", "cognito-idp:TagResource", "cognito-idp:UntagResource",
      "cognito-idp:ListTagsForResource",
    ]
    resources = ["${local.arn_prefix.cognito}:userpool/*"]
  }

  # Creating a pool and reading a domain name no resource.
  statement {
    sid       = "UserPoolAccountLevel"
    actions   = ["cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPoolDomain"]
    resources = ["*"]
  }

  statement {
    sid = "Distribution"
    actions = [
      "cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:GetDistribution",
      "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution",
      "cloudfront:CreateInvalidation", "cloudfront:TagResource", "cloudfront:UntagResource",
      "cloudfront:ListTagsForResource",
      "cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl",
      "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
      "cloudfront:CreateResponseHeadersPolicy", "cloudfront:GetResponseHeadersPolicy",
      "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy",
    ]
    resources = [
      "${local.arn_prefix.cdn}:distribution/*",
      "${local.arn_prefix.cdn}:origin-access-control/*",
      "${local.arn_prefix.cdn}:response-headers-policy/*",
    ]
  }

  statement {
    sid = "EdgeFunctions"
    actions = [
      "cloudfront:CreateFunction", "cloudfront:DescribeFunction", "cloudfront:GetFunction",
      "cloudfront:UpdateFunction", "cloudfront:PublishFunction", "cloudfront:DeleteFunction",
    ]
    resources = ["${local.arn_prefix.cdn}:function/${local.prefix}-*"]
  }

  statement {
    sid       = "CustomDomainCertificate"
    actions   = ["acm:DescribeCertificate"]
    resources = ["arn:${local.partition}:acm:us-east-1:${local.account_id}:certificate/*"]
  }

  statement {
    sid = "SpaBucket"
    actions = [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketAcl",
      "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
      "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:PutBucketTagging",
      "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
      "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
      "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
    ]
    resources = ["arn:${local.partition}:s3:::${local.prefix}-spa-*", "arn:${local.partition}:s3:::${local.prefix}-feeds-*"]
  }

  # The SPA's files: public anyway, served to anyone through CloudFront.
  statement {
    sid       = "SpaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    resources = ["arn:${local.partition}:s3:::${local.prefix}-spa-*/*"]
  }

  # Live feeds (terraform/feeds.tf): the feeds bucket, emptied on destroy but
  # never written (only the feed Lambda writes snapshots), its dead-letter
  # queue, the table stream's mapping to the feed Lambda, and CloudFront's
  # cache policy for /feeds/*.
  statement {
    sid       = "FeedsBucketEmptiedOnDestroy"
    actions   = ["s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["arn:${local.partition}:s3:::${local.prefix}-feeds-*", "arn:${local.partition}:s3:::${local.prefix}-feeds-*/*"]
  }

  statement {
    sid = "FeedQueue"
    actions = [
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl",
      "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags",
    ]
    resources = ["arn:${local.partition}:sqs:${var.region}:${local.account_id}:${local.prefix}-*"]
  }

  # CreateEventSourceMapping names no resource: the condition holds it to
  # this stack's functions.
  statement {
    sid       = "CreateStreamMappings"
    actions   = ["lambda:CreateEventSourceMapping"]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn_prefix.lambda}:function:${local.prefix}-*"]
    }
  }

  statement {
    sid = "StreamMappings"
    actions = [
      "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping",
      "lambda:ListEventSourceMappings",
    ]
    resources = ["${local.arn_prefix.lambda}:event-source-mapping:*"]
  }

  statement {
    sid = "FeedsCachePolicy"
    actions = [
      "cloudfront:CreateCachePolicy", "cloudfront:GetCachePolicy", "cloudfront:UpdateCachePolicy",
      "cloudfront:DeleteCachePolicy",
    ]
    resources = ["${local.arn_prefix.cdn}:cache-policy/*"]
  }

  # Operations (monitoring.tf): the alarms topic, its subscription, the alarms
  # and the dashboard, all named after the stack.
  statement {
    sid = "AlarmsTopic"
    actions = [
      "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
      "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
      "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
    ]
    resources = [
      "arn:${local.partition}:sns:${var.region}:${local.account_id}:${local.prefix}-alarms",
      "arn:${local.partition}:sns:${var.region}:${local.account_id}:${local.prefix}-alarms:*",
    ]
  }

  statement {
    sid = "Alarms"
    actions = [
      "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
      "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
    ]
    resources = ["arn:${local.partition}:cloudwatch:${var.region}:${local.account_id}:alarm:${local.prefix}-*"]
  }

  statement {
    sid       = "Dashboard"
    actions   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
    resources = ["arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${local.prefix}"]
  }

  # Whatever the statements above match, the deploy role never changes itself,
  # the plan role or the boundary, and never lifts a boundary.
  statement {
    sid       = "NeverTheGitHubRoles"
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = local.github_roles
  }

  statement {
    sid       = "NeverTheBoundary"
    effect    = "Deny"
    actions   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
    resources = [local.boundary_arn]
  }

  statement {
    sid       = "NeverLiftABoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "${local.prefix}-github-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

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
