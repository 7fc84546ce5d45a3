# Public live feeds (docs/architecture.md): every post written to the table goes
# down its stream to the feed Lambda, which rebuilds that channel's snapshot
# and writes it to feeds/<channel>.json in the feeds bucket; CloudFront serves
# /feeds/* from there, cached for a few seconds, to any number of viewers.
#
# Two writers never race on one snapshot: each PUT is conditional on the ETag
# the writer read (If-Match, or If-None-Match: * for a new object) and carries
# the channel's Seq, and a writer never replaces a snapshot with a higher Seq
# (adapters/s3). The stream mapping also processes each shard in order
# (parallelization factor 1), so retries and bisected halves stay in order.

locals {
  # The feed Lambda is not an API route: it is none of local.functions, and
  # its own role differs from theirs (local.feed_lambda). Its folder is lambdas/feed.
  feed_function = "feed"

  # The feed Lambda's DynamoDB actions (one GetItem of the channel, one Query
  # of its newest posts); adapters/dynamodb/feed_test.go proves the list.
  feed_dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query"]

  # How long CloudFront may serve one snapshot: core.FeedMaxAge, the
  # max-age the feed Lambda writes on every object.
  feed_max_age_seconds = 5

  feeds_origin_id                  = "feeds"
  feeds_cache_policy_id            = coalesce(var.feeds_cache_policy_id, one(aws_cloudfront_cache_policy.feeds[*].id))
  feeds_response_headers_policy_id = coalesce(var.feeds_response_headers_policy_id, one(aws_cloudfront_response_headers_policy.feeds[*].id))

  # Only post items (sort key POST#<id>, adapters/dynamodb/channels.go) wake
  # the feed Lambda: new posts and deleted ones (Keys are in every record).
  feed_stream_filter = jsonencode({ dynamodb = { Keys = { sk = { S = [{ prefix = "POST#" }] } } } })
}

variable "feeds_cache_policy_id" {
  description = "A CloudFront cache policy for /feeds/* instead of the one made here (for emulators without cache policies)."
  type        = string
  default     = null
}

variable "feeds_response_headers_policy_id" {
  description = "A CloudFront response headers policy for /feeds/* instead of the CORS policy made here (for emulators without them)."
  type        = string
  default     = null
}

variable "feed_stream_batch_size" {
  description = "Most stream records one feed Lambda invocation receives; each touched channel is rebuilt once per batch."
  type        = number
  default     = 100
}

module "feeds_bucket" {
  source = "./modules/private-origin-bucket"

  bucket = "${local.prefix}-feeds-${local.account_id}-${local.region}"
  # Snapshots are rebuilt from the table at the next post: nothing to keep.
  force_destroy           = true
  distribution_arn        = aws_cloudfront_distribution.spa.arn
  read_prefix             = "feeds/"
  objects_called          = "Snapshots"
  deny_insecure_transport = var.feeds_bucket_strict_policy
  extra_policy_documents  = [data.aws_iam_policy_document.feeds_bucket_writers.json]
}

variable "deploy_role_arn" {
  description = "The deploy role (terraform/bootstrap's deploy_role_arn output): beside the feed Lambda's role, the only principal that may write to the feeds bucket or change it. null: the role (or user) that runs the apply."
  type        = string
  default     = null
}

variable "feeds_bucket_strict_policy" {
  description = "Deny plain HTTP, and changes to the feeds bucket's policy and settings by anyone but the deploy role. Off only for emulators that ignore policy conditions (moto), where those denies would refuse Terraform itself."
  type        = bool
  default     = true
}

locals {
  # Who applies: a role's session ARN names the role (the bootstrap's roles
  # have no path), the role is what aws:PrincipalArn names.
  deployer_arn = coalesce(var.deploy_role_arn, replace(data.aws_caller_identity.current.arn,
  "/^arn:([^:]+):sts::([0-9]+):assumed-role/([^/]+)/.*$/", "arn:$1:iam::$2:role/$3"))
}

# Only the feed Lambda writes or deletes snapshots (and the deploy role, which
# empties the bucket on destroy), whatever other roles of the account are
# allowed; only the deploy role changes the bucket's policy or settings.
data "aws_iam_policy_document" "feeds_bucket_writers" {
  statement {
    sid       = "OnlyTheFeedLambdaWrites"
    effect    = "Deny"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${module.feeds_bucket.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [module.functions.by_name[local.feed_function].role_arn, local.deployer_arn]
    }
  }

  dynamic "statement" {
    for_each = var.feeds_bucket_strict_policy ? [1] : []

    content {
      sid    = "OnlyTheDeployerChangesTheBucket"
      effect = "Deny"
      actions = [
        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
        "s3:PutEncryptionConfiguration", "s3:PutBucketAcl", "s3:PutBucketCORS", "s3:PutLifecycleConfiguration",
        "s3:PutBucketVersioning", "s3:PutReplicationConfiguration", "s3:DeleteBucket",
      ]
      resources = [module.feeds_bucket.arn]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnNotEquals"
        variable = "aws:PrincipalArn"
        values   = [local.deployer_arn]
      }
    }
  }
}

resource "aws_sqs_queue" "feed_dead_letters" {
  name                      = "${local.prefix}-feed-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

locals {
  # The feed Lambda in modules/functions (lambdas.tf), beside the routes: its
  # own role may read the table and its stream, write snapshots and send what
  # kept failing to the dead-letter queue. It is not traced.
  feed_lambda = {
    description      = "Table stream -> channel snapshots in S3"
    role_description = "Runs the feed Lambda of ${local.prefix}: table stream to snapshots."
    tracing          = false
    environment = {
      PARLEY_TABLE_NAME   = aws_dynamodb_table.chat.name
      PARLEY_FEEDS_BUCKET = module.feeds_bucket.id
    }
    statements = [
      # Channel items only (partition keys CHAN#<channel>): the feed never
      # reads a message, a contact or an account. The key must be in the
      # request (every GetItem and Query names it), for ForAllValues holds of
      # a request without it.
      {
        sid       = "Table"
        actions   = local.feed_dynamodb_actions
        resources = [aws_dynamodb_table.chat.arn]
        conditions = [
          { test = "ForAllValues:StringLike", variable = "dynamodb:LeadingKeys", values = ["CHAN#*"] },
          { test = "Null", variable = "dynamodb:LeadingKeys", values = ["false"] },
        ]
      },
      # What the event source mapping needs to read the stream for the function.
      {
        sid       = "Stream"
        actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
        resources = [aws_dynamodb_table.chat.stream_arn]
      },
      # ListStreams names no resource in AWS's reference: on a stream ARN it
      # would be granted nothing.
      { sid = "ListStreams", actions = ["dynamodb:ListStreams"], resources = ["*"] },
      # HEAD (GetObject) reads a snapshot's ETag and Seq; PUT writes it. Without
      # s3:ListBucket (which the stack's boundary does not grant) S3 answers a
      # HEAD of a channel's first snapshot 403, which adapters/s3 reads as "none
      # yet" and then writes only if none exists (If-None-Match: *).
      { sid = "Snapshots", actions = ["s3:GetObject", "s3:PutObject"], resources = ["${module.feeds_bucket.arn}/feeds/*"] },
      # The mapping sends the records of a batch that kept failing here.
      { sid = "DeadLetters", actions = ["sqs:SendMessage"], resources = [aws_sqs_queue.feed_dead_letters.arn] },
    ]
    alarms_mean = {
      errors    = "failed (error, timeout or crash); the mapping retries, then bisects"
      throttles = "was throttled: concurrency is exhausted, snapshots lag"
    }
  }
}

resource "aws_lambda_event_source_mapping" "feed" {
  event_source_arn  = aws_dynamodb_table.chat.stream_arn
  function_name     = module.functions.by_name[local.feed_function].arn
  starting_position = "LATEST"

  batch_size                         = var.feed_stream_batch_size
  maximum_batching_window_in_seconds = 1
  parallelization_factor             = 1
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = 5
  # A snapshot is rebuilt from the table, so a record older than this is
  # covered by any later post's rebuild; an hour leaves room for an outage.
  maximum_record_age_in_seconds = 3600
  function_response_types       = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = local.feed_stream_filter
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.feed_dead_letters.arn
    }
  }
}

resource "aws_cloudfront_cache_policy" "feeds" {
  count = var.feeds_cache_policy_id == null ? 1 : 0

  name        = "${local.prefix}-feeds"
  comment     = "Channel snapshots: a few seconds of shared cache."
  min_ttl     = 0
  default_ttl = local.feed_max_age_seconds
  max_ttl     = local.feed_max_age_seconds

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "feeds" {
  count = var.feeds_response_headers_policy_id == null ? 1 : 0

  name    = "${local.prefix}-feeds-cors"
  comment = "Channel snapshots: readable by any origin, GET only."

  cors_config {
    access_control_allow_credentials = false
    access_control_max_age_sec       = 600
    origin_override                  = true

    access_control_allow_headers {
      items = ["if-none-match"]
    }

    access_control_allow_methods {
      items = ["GET", "HEAD", "OPTIONS"]
    }

    access_control_allow_origins {
      items = ["*"]
    }

    access_control_expose_headers {
      items = ["ETag"]
    }
  }

  security_headers_config {
    content_type_options {
      override = true
    }
  }
}

# The feed Lambda's dead-letters alarm is in monitoring.tf.
