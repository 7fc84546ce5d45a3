# Limits per source IP before anyone signs in: a WAF web ACL on the
# CloudFront distribution, which serves the SPA, /feeds/*, /api/* (the HTTP
# API) and /ws (the WebSocket API's handshake). Each rule counts one IP's
# requests over the last 5 minutes and blocks that IP (403) while it is over.
# README's "Abuse limits" gives the numbers and how they fit under the stage
# throttles (stages.tf).

locals {
  waf_name = "${local.prefix}-edge"
}

resource "aws_wafv2_web_acl" "edge" {
  provider = aws.us_east_1

  name        = local.waf_name
  description = "Per-IP rate limits in front of the ${local.prefix} distribution."
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # The API and the realtime handshake: what reaches a Lambda.
  rule {
    name     = "api-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_api_requests_per_ip
        aggregate_key_type = "IP"

        scope_down_statement {
          or_statement {
            statement {
              byte_match_statement {
                search_string         = "/${local.api_stage}/"
                positional_constraint = "STARTS_WITH"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }

            statement {
              byte_match_statement {
                search_string         = "/${local.ws_stage}"
                positional_constraint = "EXACTLY"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_name}-api-per-ip"
      sampled_requests_enabled   = true
    }
  }

  # Everything, the SPA's files and the feeds included (cached or not, each
  # request is counted).
  rule {
    name     = "all-per-ip"
    priority = 2

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_requests_per_ip
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_name}-all-per-ip"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.waf_name
    sampled_requests_enabled   = true
  }
}
