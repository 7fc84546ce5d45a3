# Web Push notifications (docs/architecture.md, "Notifications"): every
# message written to the table goes down its stream to the notify Lambda,
# which tells the recipient's subscribed devices through their push services
# when no tab of theirs is visible; every conversation an ack leaves read
# does too, and its reader's devices close its notification. Neither
# add-message nor ack waits for it.
#
# The VAPID key pair is no Terraform resource, so the private key is never in
# Terraform state: scripts/vapid-keys.sh (run by the CI deploy before
# Terraform) creates both SSM parameters once per deployment, the private one
# a SecureString only the notify Lambda's role may read; push-key reads the
# public one. README.md says how to rotate them.

locals {
  notify_function   = "notify"
  push_key_function = "push-key"

  vapid_parameter_prefix      = "/${var.name}/${var.environment}/vapid"
  vapid_public_key_parameter  = "${local.vapid_parameter_prefix}/public-key"
  vapid_private_key_parameter = "${local.vapid_parameter_prefix}/private-key"
  vapid_parameter_arn_prefix  = "arn:aws:ssm:${local.region}:${local.account_id}:parameter${local.vapid_parameter_prefix}"

  # The notify Lambda's DynamoDB actions: Query the recipient's subscriptions
  # and connections, GetItem both contacts, BatchWriteItem to remove a gone
  # subscription; adapters/dynamodb/notifications_test.go proves the list.
  notify_dynamodb_actions = ["dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Query"]

  # Only new messages reach the notify Lambda: INSERTs of message items
  # (sk MSG#...); an idempotency marker, a contact, a receipt never do.
  notify_stream_filter = jsonencode({ eventName = ["INSERT"], dynamodb = { Keys = { sk = { S = [{ prefix = "MSG#" }] } } } })
  # And conversations read: a contact item (sk CONTACT#...) whose unread
  # count fell from above 0 to 0, which clears the conversation's
  # notification on each device of its owner; an ack that moves nothing
  # writes nothing, and one that leaves the count at 0 or above it never
  # matches.
  notify_read_stream_filter = jsonencode({
    eventName = ["MODIFY"]
    dynamodb = {
      Keys     = { sk = { S = [{ prefix = "CONTACT#" }] } }
      OldImage = { unread = { N = [{ "anything-but" = ["0"] }] } }
      NewImage = { unread = { N = ["0"] } }
    }
  })
  # And messages unsent: a message item modified to deleted (its text
  # erased), after which the notification that may still show it is
  # corrected on each device of its recipient. Nothing else modifies a
  # message item, and unsending one again writes nothing.
  notify_unsent_stream_filter = jsonencode({
    eventName = ["MODIFY"]
    dynamodb = {
      Keys     = { sk = { S = [{ prefix = "MSG#" }] } }
      NewImage = { deleted = { BOOL = [true] } }
    }
  })

  vapid_public_key_statement = {
    sid       = "PushKey"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.vapid_parameter_arn_prefix}/public-key"]
  }

  notify_lambda = {
    description      = "Table stream -> Web Push notifications"
    role_description = "Runs the notify Lambda of ${local.prefix}: table stream to Web Push."
    tracing          = true
    environment = {
      PARLEY_TABLE_NAME                  = aws_dynamodb_table.chat.name
      PARLEY_VAPID_PUBLIC_KEY_PARAMETER  = local.vapid_public_key_parameter
      PARLEY_VAPID_PRIVATE_KEY_PARAMETER = local.vapid_private_key_parameter
      PARLEY_VAPID_SUBJECT               = local.spa_origin
    }
    statements = [
      { sid = "Table", actions = local.notify_dynamodb_actions, resources = [aws_dynamodb_table.chat.arn] },
      {
        sid       = "Stream"
        actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
        resources = [aws_dynamodb_table.chat.stream_arn]
      },
      { sid = "ListStreams", actions = ["dynamodb:ListStreams"], resources = ["*"] },
      # The key pair, read once per cold start; SecureStrings of the account's
      # aws/ssm key decrypt for a caller SSM authorizes.
      {
        sid       = "VapidKeys"
        actions   = ["ssm:GetParameter"]
        resources = ["${local.vapid_parameter_arn_prefix}/public-key", "${local.vapid_parameter_arn_prefix}/private-key"]
      },
      { sid = "DeadLetters", actions = ["sqs:SendMessage"], resources = [aws_sqs_queue.notify_dead_letters.arn] },
    ]
    alarms_mean = {
      errors    = "failed (error, timeout or crash); the mapping retries, then bisects"
      throttles = "was throttled: concurrency is exhausted, notifications lag"
    }
  }
}

resource "aws_sqs_queue" "notify_dead_letters" {
  name                      = "${local.prefix}-notify-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_lambda_event_source_mapping" "notify" {
  event_source_arn  = aws_dynamodb_table.chat.stream_arn
  function_name     = module.functions.by_name[local.notify_function].arn
  starting_position = "LATEST"

  batch_size                         = 10
  maximum_batching_window_in_seconds = 0
  parallelization_factor             = 4
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = 2
  # A notification that old is no news any more.
  maximum_record_age_in_seconds = 300
  function_response_types       = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = local.notify_stream_filter
    }
    filter {
      pattern = local.notify_read_stream_filter
    }
    filter {
      pattern = local.notify_unsent_stream_filter
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.notify_dead_letters.arn
    }
  }
}

# The notify Lambda's failure rate and dead-letters alarms are in monitoring.tf.
