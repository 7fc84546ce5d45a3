output "id" {
  description = "Name of the bucket, once it encrypts what it is given: write objects to this."
  value       = aws_s3_bucket.origin.id

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.origin]
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.origin.arn
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional domain: the CloudFront origin's domain_name."
  value       = aws_s3_bucket.origin.bucket_regional_domain_name
}
