# A private S3 bucket that only one CloudFront distribution reads, through
# origin access control: public access blocked, owner-enforced objects,
# encrypted at rest, and a bucket policy that lets that distribution (and no
# one else) read and list it. The SPA's bucket (hosting.tf) and the feeds
# bucket (feeds.tf) are both one.

resource "aws_s3_bucket" "origin" {
  bucket        = var.bucket
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "origin" {
  bucket = aws_s3_bucket.origin.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "origin" {
  bucket = aws_s3_bucket.origin.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "origin" {
  bucket = aws_s3_bucket.origin.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "origin" {
  override_policy_documents = var.extra_policy_documents

  dynamic "statement" {
    # Listing lets S3 answer 404 rather than 403 for a key that does not exist.
    for_each = [
      { verb = "Reads", action = "s3:GetObject", resource = "${aws_s3_bucket.origin.arn}/${var.read_prefix}*" },
      { verb = "Lists", action = "s3:ListBucket", resource = aws_s3_bucket.origin.arn },
    ]

    content {
      sid       = "CloudFront${statement.value.verb}${var.objects_called}"
      actions   = [statement.value.action]
      resources = [statement.value.resource]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [var.distribution_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = var.deny_insecure_transport ? [1] : []

    content {
      sid       = "DenyInsecureTransport"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [aws_s3_bucket.origin.arn, "${aws_s3_bucket.origin.arn}/*"]

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
}

resource "aws_s3_bucket_policy" "origin" {
  bucket = aws_s3_bucket.origin.id
  policy = data.aws_iam_policy_document.origin.json

  # S3 rejects a bucket policy while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.origin]
}
