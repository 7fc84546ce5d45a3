# One table for contacts, messages and reports (key design in docs/architecture.md, "The table").

resource "aws_dynamodb_table" "chat" {
  name                        = local.prefix
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.table_kms_key_arn
  }

  # New images of changed items feed the feed Lambda (feeds.tf); old images
  # too, so that the notify Lambda's filter sees a contact's unread count
  # fall to 0 (notifications.tf).
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }
}
