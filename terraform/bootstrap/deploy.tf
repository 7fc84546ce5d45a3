# What the deploy role may do, and the permissions boundary of every role the
# stack creates. terraform/iam_test.go proves both against the requests the AWS
# provider was recorded making (apply, refresh, a change, destroy) with AWS's
# service authorization reference and a policy simulator, and that every Allow
# names a resource its actions accept.
#
# The deploy role touches only its own stack:
# - what has a name is matched by "<name>-<environment>-" (neither may hold a
#   hyphen, so the delimiter ends the environment: parley-prod- never matches
#   parley-production-...); roles by their IAM path /<name>/<environment>/;
# - what AWS names by generated IDs (API Gateway APIs, Cognito user pools,
#   CloudFront distributions, the stream's event source mapping) only when it
#   carries the tag ParleyStack = <name>-<environment>, which the role sets when
#   it creates one and may never change nor remove on an existing one.
locals {
  arn_prefix = {
    dynamodb = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}"
    lambda   = "arn:${local.partition}:lambda:${var.region}:${local.account_id}"
    logs     = "arn:${local.partition}:logs:${var.region}:${local.account_id}"
    iam      = "arn:${local.partition}:iam::${local.account_id}"
    cognito  = "arn:${local.partition}:cognito-idp:${var.region}:${local.account_id}"
    cdn      = "arn:${local.partition}:cloudfront::${local.account_id}"
    # A web ACL for CloudFront lives in us-east-1 ("global"), whatever var.region.
    waf_global = "arn:${local.partition}:wafv2:us-east-1:${local.account_id}:global"
    apigateway = "arn:${local.partition}:apigateway:${var.region}:"
    sqs        = "arn:${local.partition}:sqs:${var.region}:${local.account_id}"
    sns        = "arn:${local.partition}:sns:${var.region}:${local.account_id}"
    s3         = "arn:${local.partition}:s3:::"
  }
  # The stack's roles live under this path (terraform/locals.tf role_path).
  role_path     = "/${var.name}/${var.environment}/"
  stack_roles   = "${local.arn_prefix.iam}:role${local.role_path}*"
  stack_tag_key = "ParleyStack"
  boundary_name = "${local.prefix}-boundary"
  boundary_arn  = "${local.arn_prefix.iam}:policy/${local.boundary_name}"
  # The roles of this bootstrap, which the deploy role may never change.
  github_roles = [
    "${local.arn_prefix.iam}:role/${local.prefix}-github-deploy",
    "${local.arn_prefix.iam}:role/${local.prefix}-github-plan",
  ]
  deploy_policy_arns = [for part in keys(local.deploy_policies) : "${local.arn_prefix.iam}:policy/${local.prefix}-github-deploy-${part}"]
  stack_buckets      = ["${local.arn_prefix.s3}${local.prefix}-spa-*", "${local.arn_prefix.s3}${local.prefix}-feeds-*", "${local.arn_prefix.s3}${local.prefix}-exports-*"]
}

# The permissions boundary of every role the stack creates (its Lambdas): the
# most any of them may ever do, whatever policy the deploy role writes into
# it. Only this stack's table, log groups, WebSocket connections, buckets (of
# this account) and queues; nothing in IAM.
data "aws_iam_policy_document" "boundary" {
  statement {
    sid = "TableItems"
    actions = [
      "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
      "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
    ]
    resources = [
      "${local.arn_prefix.dynamodb}:table/${local.prefix}",
      "${local.arn_prefix.dynamodb}:table/${local.prefix}/index/*",
    ]
  }

  # Lambda reads the table's stream for the feed function with its role.
  statement {
    sid       = "TableStream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = ["${local.arn_prefix.dynamodb}:table/${local.prefix}/stream/*"]
  }

  # ListStreams names no resource in AWS's reference.
  statement {
    sid       = "ListStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"]
  }

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn_prefix.logs}:log-group:/aws/lambda/${local.prefix}-*:*"]
  }

  # The API's ID is generated and a wildcard may not open an ARN's resource
  # part (*/ws/POST/@connections/* matches nothing): this account and region's
  # APIs; each role names its own API's connections.
  statement {
    sid       = "WebSocketConnections"
    actions   = ["execute-api:ManageConnections"]
    resources = ["arn:${local.partition}:execute-api:${var.region}:${local.account_id}:*"]
  }

  # Only the feeds and exports buckets hold objects a Lambda writes (the
  # snapshots, the export documents), and only in this account (a bucket name
  # is global).
  statement {
    sid       = "StackObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.arn_prefix.s3}${local.prefix}-feeds-*/*", "${local.arn_prefix.s3}${local.prefix}-exports-*/exports/*"]

    condition {
      test     = "StringEquals"
      variable = "s3:ResourceAccount"
      values   = [local.account_id]
    }
  }

  # Deleting a deleted account's user: the pool's ID is generated, so this
  # account and region's pools; the one function that may names its own.
  statement {
    sid       = "DeleteUsers"
    actions   = ["cognito-idp:AdminDeleteUser"]
    resources = ["arn:${local.partition}:cognito-idp:${var.region}:${local.account_id}:userpool/*"]
  }

  statement {
    sid       = "StackQueues"
    actions   = ["sqs:SendMessage"]
    resources = ["${local.arn_prefix.sqs}:${local.prefix}-*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # The VAPID key pair of Web Push (terraform/notifications.tf): the notify
  # function reads both, push-key the public one; their roles say which.
  statement {
    sid       = "VapidKeys"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${var.name}/${var.environment}/vapid/*"]
  }
}

resource "aws_iam_policy" "boundary" {
  name        = local.boundary_name
  description = "Permissions boundary of every role of the ${local.prefix} stack."
  policy      = data.aws_iam_policy_document.boundary.json
}

# The deploy role's inline policy: the state, and what it may never do
# whatever its managed policies allow.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "State"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
  }

  statement {
    sid       = "NeverTheGitHubRoles"
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = local.github_roles
  }

  statement {
    sid       = "NeverTheBoundaryNorItsOwnPolicies"
    effect    = "Deny"
    actions   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
    resources = concat([local.boundary_arn], local.deploy_policy_arns)
  }

  statement {
    sid       = "NeverLiftABoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary"]
    resources = ["*"]
  }

  # The stack tag says who owns a resource: never removed, never changed.
  statement {
    sid       = "NeverRemoveTheStackTag"
    effect    = "Deny"
    actions   = ["apigateway:DELETE", "cloudfront:UntagResource", "cognito-idp:UntagResource", "lambda:UntagResource", "wafv2:UntagResource"]
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:TagKeys"
      values   = [local.stack_tag_key]
    }
  }

  statement {
    sid    = "NeverChangeTheStackTag"
    effect = "Deny"
    actions = [
      "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "cloudfront:TagResource", "cloudfront:CreateDistribution",
      "cognito-idp:TagResource", "cognito-idp:CreateUserPool", "lambda:TagResource", "lambda:CreateEventSourceMapping",
      "wafv2:TagResource", "wafv2:CreateWebACL",
    ]
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:TagKeys"
      values   = [local.stack_tag_key]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "${local.prefix}-github-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# What applying the stack needs, in managed policies (a role's inline
# policies hold 10,240 characters in all; each managed policy 6,144).
locals {
  deploy_policies = {
    data    = data.aws_iam_policy_document.deploy_data.json
    compute = data.aws_iam_policy_document.deploy_compute.json
    edge    = data.aws_iam_policy_document.deploy_edge.json
    api     = data.aws_iam_policy_document.deploy_api.json
    waf     = data.aws_iam_policy_document.deploy_waf.json
  }
}

resource "aws_iam_policy" "deploy" {
  for_each = local.deploy_policies

  name        = "${local.prefix}-github-deploy-${each.key}"
  description = "What the ${local.prefix} deploy role needs to apply the stack (${each.key})."
  policy      = each.value
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = local.deploy_policies

  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.deploy[each.key].arn
}

# The table, the dead-letter queue, the alarms topic, the alarms and the
# dashboard: all named after the stack.
data "aws_iam_policy_document" "deploy_data" {
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

  # The table is encrypted with the AWS managed key aws/dynamodb (or
  # table_kms_key_arn): the provider reads the key behind the alias.
  statement {
    sid       = "TableKey"
    actions   = ["kms:DescribeKey"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:RequestAlias"
      values   = ["alias/aws/dynamodb"]
    }
  }

  statement {
    sid = "FeedQueue"
    actions = [
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl",
      "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags",
    ]
    resources = ["${local.arn_prefix.sqs}:${local.prefix}-*"]
  }

  statement {
    sid = "AlarmsTopic"
    actions = [
      "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
      "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
      "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
    ]
    resources = ["${local.arn_prefix.sns}:${local.prefix}-alarms"]
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

  # scripts/vapid-keys.sh, which the deploy runs before Terraform, creates the
  # VAPID key pair once (and an operator's --rotate replaces it). Writing only:
  # the deploy role never reads the private key back.
  statement {
    sid       = "WriteVapidKeys"
    actions   = ["ssm:PutParameter"]
    resources = ["arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${var.name}/${var.environment}/vapid/*"]
  }
}

# Functions, their roles, log groups and the stream's event source mapping.
data "aws_iam_policy_document" "deploy_compute" {
  statement {
    sid = "Functions"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetRuntimeManagementConfig", "lambda:GetFunctionRecursionConfig",
      "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
      "lambda:RemovePermission", "lambda:GetPolicy", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
    ]
    resources = ["${local.arn_prefix.lambda}:function:${local.prefix}-*"]
  }

  # The REST Lambdas trust the claims in their event: only API Gateway may
  # be let invoke them, never another principal.
  statement {
    sid       = "InvokedByApiGatewayOnly"
    actions   = ["lambda:AddPermission"]
    resources = ["${local.arn_prefix.lambda}:function:${local.prefix}-*"]

    condition {
      test     = "StringEquals"
      variable = "lambda:Principal"
      values   = ["apigateway.amazonaws.com"]
    }
  }

  # A mapping is held to this stack's functions; ListEventSourceMappings
  # names no resource.
  statement {
    sid = "StreamMappings"
    actions = [
      "lambda:CreateEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping",
      "lambda:DeleteEventSourceMapping",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn_prefix.lambda}:function:${local.prefix}-*"]
    }
  }

  statement {
    sid       = "ListStreamMappings"
    actions   = ["lambda:ListEventSourceMappings"]
    resources = ["*"]
  }

  # The mapping's tags (the provider's default tags, read back with ListTags).
  statement {
    sid       = "StreamMappingTags"
    actions   = ["lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"]
    resources = ["${local.arn_prefix.lambda}:event-source-mapping:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # Tags sent when the mapping is created (it has none yet).
  statement {
    sid       = "TagNewStreamMappings"
    actions   = ["lambda:TagResource"]
    resources = ["${local.arn_prefix.lambda}:event-source-mapping:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = ["true"]
    }
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
      "${local.arn_prefix.logs}:log-group:/aws/apigateway/${local.prefix}",
      "${local.arn_prefix.logs}:log-group:/aws/apigateway/${local.prefix}-*",
    ]
  }

  # Listing log groups and wiring the HTTP API's access logs (log
  # deliveries, the log resource policy) name no resource and read no event.
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

  # A role is created, and its policies written, only with the boundary: no
  # role of the stack can ever do more than the boundary allows. Its trust
  # policy is never changed (no iam:UpdateAssumeRolePolicy): a changed trust
  # replaces the role.
  statement {
    sid       = "WriteStackRolesWithTheBoundary"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]
    resources = [local.stack_roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid       = "ChangeStackRoles"
    actions   = ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole"]
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
}

# CloudFront, the SPA and feeds buckets, the custom domain's certificate.
data "aws_iam_policy_document" "deploy_edge" {
  # Creating these names no resource: the distribution must carry the stack tag.
  statement {
    sid       = "CreateDistribution"
    actions   = ["cloudfront:CreateDistribution"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # The tags a new distribution is created with (CreateDistributionWithTags
  # also needs TagResource), never on one that already belongs to a stack.
  statement {
    sid       = "TagNewDistribution"
    actions   = ["cloudfront:TagResource"]
    resources = ["${local.arn_prefix.cdn}:distribution/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = ["true"]
    }
  }

  statement {
    sid = "Distribution"
    actions = [
      "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
      "cloudfront:DeleteDistribution", "cloudfront:CreateInvalidation", "cloudfront:TagResource",
      "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
    ]
    resources = ["${local.arn_prefix.cdn}:distribution/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # Origin access controls, cache and response headers policies take no tags
  # (AWS's reference gives them no aws:ResourceTag): creating one names no
  # resource, and the rest are held to this account's.
  statement {
    sid = "CreateDistributionParts"
    actions = [
      "cloudfront:CreateOriginAccessControl", "cloudfront:CreateCachePolicy", "cloudfront:CreateResponseHeadersPolicy",
      "cloudfront:CreateFunction",
    ]
    resources = ["*"]
  }

  statement {
    sid = "DistributionParts"
    actions = [
      "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
      "cloudfront:GetCachePolicy", "cloudfront:UpdateCachePolicy", "cloudfront:DeleteCachePolicy",
      "cloudfront:GetResponseHeadersPolicy", "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy",
    ]
    resources = [
      "${local.arn_prefix.cdn}:origin-access-control/*",
      "${local.arn_prefix.cdn}:cache-policy/*",
      "${local.arn_prefix.cdn}:response-headers-policy/*",
    ]
  }

  statement {
    sid = "EdgeFunctions"
    actions = [
      "cloudfront:DescribeFunction", "cloudfront:GetFunction", "cloudfront:UpdateFunction", "cloudfront:PublishFunction",
      "cloudfront:DeleteFunction",
    ]
    resources = ["${local.arn_prefix.cdn}:function/${local.prefix}-*"]
  }

  statement {
    sid       = "CustomDomainCertificate"
    actions   = ["acm:DescribeCertificate"]
    resources = ["arn:${local.partition}:acm:us-east-1:${local.account_id}:certificate/*"]
  }

  statement {
    sid = "Buckets"
    actions = [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation",
      "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning",
      "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
      "s3:PutEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging",
      "s3:PutBucketTagging", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
      "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls", "s3:GetBucketPublicAccessBlock",
      "s3:PutBucketPublicAccessBlock", "s3:PutLifecycleConfiguration",
    ]
    resources = local.stack_buckets
  }

  # The SPA's files (public anyway, through CloudFront); the feeds bucket is
  # only emptied on destroy, never written (only the feed Lambda writes).
  statement {
    sid       = "SpaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    resources = ["${local.arn_prefix.s3}${local.prefix}-spa-*/*"]
  }

  statement {
    sid       = "FeedsBucketEmptiedOnDestroy"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${local.arn_prefix.s3}${local.prefix}-feeds-*/*", "${local.arn_prefix.s3}${local.prefix}-exports-*/*"]
  }
}

# API Gateway's HTTP and WebSocket APIs and the Cognito user pool: named by
# generated IDs, so held to those carrying this stack's tag.
data "aws_iam_policy_document" "deploy_api" {
  statement {
    sid       = "CreateApis"
    actions   = ["apigateway:POST"]
    resources = ["${local.arn_prefix.apigateway}:/apis"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # An API's routes, integrations, stages and authorizer are judged by the
  # API's tags.
  statement {
    sid       = "Apis"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
    resources = ["${local.arn_prefix.apigateway}:/apis/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  statement {
    sid       = "ApiTags"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:DELETE"]
    resources = ["${local.arn_prefix.apigateway}:/tags/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  statement {
    sid       = "CreateUserPool"
    actions   = ["cognito-idp:CreateUserPool"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # The tags a new pool is created with, never on one that already belongs
  # to a stack.
  statement {
    sid       = "TagNewUserPool"
    actions   = ["cognito-idp:TagResource"]
    resources = ["${local.arn_prefix.cognito}:userpool/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = ["true"]
    }
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

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # Reading a hosted sign-in domain names no resource.
  statement {
    sid       = "UserPoolDomains"
    actions   = ["cognito-idp:DescribeUserPoolDomain"]
    resources = ["*"]
  }
}

# The distribution's web ACL (terraform/waf.tf): scope CLOUDFRONT, so in
# us-east-1 whatever var.region; named after the stack, created only with
# the stack's tag (the deploy role's inline policy forbids changing it).
data "aws_iam_policy_document" "deploy_waf" {
  statement {
    sid       = "CreateWebACL"
    actions   = ["wafv2:CreateWebACL", "wafv2:TagResource"]
    resources = ["${local.arn_prefix.waf_global}/webacl/${local.prefix}-*/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.stack_tag_key}"
      values   = [local.prefix]
    }
  }

  # GetWebACL also for CloudFront, which checks that whoever gives a
  # distribution a web ACL may read it.
  statement {
    sid = "WebACL"
    actions = [
      "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:ListTagsForResource",
      "wafv2:TagResource", "wafv2:UntagResource",
    ]
    resources = ["${local.arn_prefix.waf_global}/webacl/${local.prefix}-*/*"]
  }

  # Listing names no resource.
  statement {
    sid       = "ListWebACLs"
    actions   = ["wafv2:ListWebACLs"]
    resources = ["*"]
  }
}
