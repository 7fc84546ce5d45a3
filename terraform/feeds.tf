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
  # The feed Lambda is not an API route: it is none of local.functions and
  # has its own role. Its folder is lambdas/feed.
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

resource "aws_s3_bucket" "feeds" {
  bucket = "${local.prefix}-feeds-${local.account_id}-${local.region}"
  # Snapshots are rebuilt from the table at the next post: nothing to keep.
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "feeds" {
  bucket = aws_s3_bucket.feeds.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "feeds" {
  bucket = aws_s3_bucket.feeds.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "feeds" {
  bucket = aws_s3_bucket.feeds.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "feeds_bucket" {
  statement {
    sid       = "CloudFrontReadsSnapshots"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.feeds.arn}/feeds/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.spa.arn]
    }
  }

  # Listing lets S3 answer 404 rather than 403 for a channel with no snapshot.
  statement {
    sid       = "CloudFrontListsSnapshots"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.feeds.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.spa.arn]
    }
  }

  # Only the feed Lambda writes snapshots, whatever other roles of the
  # account are allowed.
  statement {
    sid       = "OnlyTheFeedLambdaWrites"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.feeds.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.feed.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "feeds" {
  bucket = aws_s3_bucket.feeds.id
  policy = data.aws_iam_policy_document.feeds_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.feeds]
}

resource "aws_sqs_queue" "feed_dead_letters" {
  name                      = "${local.prefix}-feed-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_cloudwatch_log_group" "feed" {
  name              = "/aws/lambda/${local.prefix}-${local.feed_function}"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "feed" {
  name               = "${local.prefix}-${local.feed_function}"
  path               = local.role_path
  description        = "Runs the feed Lambda of ${local.prefix}: table stream to snapshots."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume_role.json
  # The boundary every role of the stack carries (terraform/bootstrap).
  permissions_boundary = var.permissions_boundary_arn != "" ? var.permissions_boundary_arn : null
}

data "aws_iam_policy_document" "feed" {
  statement {
    sid       = "Table"
    actions   = local.feed_dynamodb_actions
    resources = [aws_dynamodb_table.chat.arn]
  }

  # What the event source mapping needs to read the stream for the function.
  statement {
    sid       = "Stream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [aws_dynamodb_table.chat.stream_arn]
  }

  # ListStreams names no resource in AWS's reference: on a stream ARN it
  # would be granted nothing.
  statement {
    sid       = "ListStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"]
  }

  # HEAD (GetObject) reads a snapshot's ETag and Seq; PUT writes it. Without
  # s3:ListBucket (which the stack's boundary does not grant) S3 answers a
  # HEAD of a channel's first snapshot 403, which adapters/s3 reads as "none
  # yet" and then writes only if none exists (If-None-Match: *).
  statement {
    sid       = "Snapshots"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.feeds.arn}/feeds/*"]
  }

  # The mapping sends the records of a batch that kept failing here.
  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.feed_dead_letters.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.feed.arn}:*"]
  }
}

resource "aws_iam_role_policy" "feed" {
  name   = "${local.prefix}-${local.feed_function}"
  role   = aws_iam_role.feed.id
  policy = data.aws_iam_policy_document.feed.json
}

resource "aws_lambda_function" "feed" {
  function_name    = "${local.prefix}-${local.feed_function}"
  description      = "Table stream -> channel snapshots in S3"
  role             = aws_iam_role.feed.arn
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  handler          = "bootstrap"
  filename         = "${local.lambda_artifacts_dir}/${local.feed_function}.zip"
  source_code_hash = filebase64sha256("${local.lambda_artifacts_dir}/${local.feed_function}.zip")
  memory_size      = var.lambda_memory_size
  timeout          = var.lambda_timeout

  environment {
    variables = {
      PARLEY_TABLE_NAME   = aws_dynamodb_table.chat.name
      PARLEY_FEEDS_BUCKET = aws_s3_bucket.feeds.id
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.feed,
    aws_iam_role_policy.feed,
  ]
}

resource "aws_lambda_event_source_mapping" "feed" {
  event_source_arn  = aws_dynamodb_table.chat.stream_arn
  function_name     = aws_lambda_function.feed.arn
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

# The feed Lambda is none of local.functions, so monitoring.tf's per-function
# alarms do not cover it: its errors and throttles, and any record batch that
# ended in the dead-letter queue, alarm here.
resource "aws_cloudwatch_metric_alarm" "feed" {
  for_each = {
    errors    = { metric = "Errors", means = "failed (error, timeout or crash); the mapping retries, then bisects" }
    throttles = { metric = "Throttles", means = "was throttled: concurrency is exhausted, snapshots lag" }
  }

  alarm_name          = "${local.prefix}-${local.feed_function}-${each.key}"
  alarm_description   = "The feed Lambda ${each.value.means}. See its log group /aws/lambda/${aws_lambda_function.feed.function_name}."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.feed.function_name }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "feed_dead_letters" {
  alarm_name          = "${local.prefix}-feed-dead-letters"
  alarm_description   = "Stream records the feed Lambda gave up on are in ${aws_sqs_queue.feed_dead_letters.name}: those channels' snapshots were not rebuilt (the next post to each rebuilds it)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.feed_dead_letters.name }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
