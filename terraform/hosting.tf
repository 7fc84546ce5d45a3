# The SPA: a private bucket reached only through CloudFront, which also sends
# /api/* to the HTTP API so the SPA calls its API on its own origin.

locals {
  # CloudFront managed policies, by their documented IDs.
  cache_policy_caching_optimized               = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  cache_policy_caching_disabled                = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  origin_request_policy_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  spa_s3_origin_id        = "spa"
  api_origin_id           = "api"
  api_origin_domain       = trimprefix(aws_apigatewayv2_api.http.api_endpoint, "https://")
  websocket_origin_id     = "websocket"
  websocket_origin_domain = trimprefix(aws_apigatewayv2_api.websocket.api_endpoint, "wss://")

  # The security headers are defined once, in security-headers.json, which the
  # local server sends too (terraform/headers.go): every browser test runs
  # under the policy a real deploy sends. The socket is served on the SPA's
  # own origin (/ws), which 'self' covers for wss: too (CSP Level 3); a custom
  # domain is named as well. (The distribution's own domain cannot be: its
  # response headers policy would then depend on it.)
  security_headers = jsondecode(file("${path.module}/security-headers.json"))
  csp_origins = tomap({
    "{api}"               = [aws_apigatewayv2_api.http.api_endpoint]
    "{websocket}"         = var.custom_domain == null ? [] : ["wss://${var.custom_domain}"]
    "{identity}"          = ["https://cognito-idp.${local.region}.amazonaws.com"]
    "{sign_in}"           = [local.cognito_domain_url]
    "{extra_connect_src}" = var.csp_extra_connect_src
  })
  content_security_policy = join("; ", [
    for directive in local.security_headers.content_security_policy :
    join(" ", distinct(flatten([for word in split(" ", directive) : lookup(local.csp_origins, word, [word])])))
  ])

  response_headers_policy_id = coalesce(var.response_headers_policy_id, one(aws_cloudfront_response_headers_policy.security[*].id))
}

module "spa_bucket" {
  source = "./modules/private-origin-bucket"

  bucket                  = "${local.prefix}-spa-${local.account_id}-${local.region}"
  distribution_arn        = aws_cloudfront_distribution.spa.arn
  objects_called          = "Objects"
  deny_insecure_transport = var.spa_bucket_deny_insecure_transport
}

resource "aws_cloudfront_origin_access_control" "spa" {
  name                              = "${local.prefix}-spa"
  description                       = "CloudFront reads the ${local.prefix} SPA bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  count = var.response_headers_policy_id == null ? 1 : 0

  name    = "${local.prefix}-security-headers"
  comment = "Security headers of the ${local.prefix} SPA and API."

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = local.security_headers.strict_transport_security.max_age_seconds
      include_subdomains         = local.security_headers.strict_transport_security.include_subdomains
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = local.security_headers.frame_options
      override     = true
    }

    referrer_policy {
      referrer_policy = local.security_headers.referrer_policy
      override        = true
    }

    content_security_policy {
      content_security_policy = local.content_security_policy
      override                = true
    }
  }

  custom_headers_config {
    items {
      header   = "Permissions-Policy"
      value    = local.security_headers.permissions_policy
      override = true
    }
  }
}

# SPA routes (paths without a file extension) get the app shell. A function on
# the default behavior only, because custom error responses would apply to
# every behavior and turn the API's 403 blocked and 404 not_found into index.html.
resource "aws_cloudfront_function" "spa_fallback" {
  count = var.spa_fallback_to_index ? 1 : 0

  name    = "${local.prefix}-spa-fallback"
  runtime = "cloudfront-js-2.0"
  comment = "Serves /index.html for SPA routes."
  publish = true
  code    = <<-JS
    function handler(event) {
      var request = event.request;
      var uri = request.uri;
      if (uri.lastIndexOf(".") <= uri.lastIndexOf("/")) {
        request.uri = "/index.html";
      }
      return request;
    }
  JS
}

resource "aws_cloudfront_distribution" "spa" {
  enabled             = true
  comment             = local.prefix
  default_root_object = "index.html"
  price_class         = var.cloudfront_price_class
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  wait_for_deployment = var.cloudfront_wait_for_deployment
  # Per-IP rate limits before sign-in (waf.tf).
  web_acl_id = aws_wafv2_web_acl.edge.arn

  origin {
    origin_id                = local.spa_s3_origin_id
    domain_name              = module.spa_bucket.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.spa.id
  }

  origin {
    origin_id                = local.feeds_origin_id
    domain_name              = module.feeds_bucket.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.spa.id
  }

  origin {
    origin_id   = local.api_origin_id
    domain_name = local.api_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # The WebSocket API, so its handshake passes the WAF like /api/*.
  origin {
    origin_id   = local.websocket_origin_id
    domain_name = local.websocket_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id           = local.spa_s3_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = local.response_headers_policy_id

    dynamic "function_association" {
      for_each = aws_cloudfront_function.spa_fallback

      content {
        event_type   = "viewer-request"
        function_arn = function_association.value.arn
      }
    }
  }

  # /api/<route> reaches stage "api", route /<route>: no cache, every viewer
  # header (Authorization included) but Host, which must be the API's own.
  ordered_cache_behavior {
    path_pattern               = "/${local.api_stage}/*"
    target_origin_id           = local.api_origin_id
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_policy_all_viewer_except_host
    response_headers_policy_id = local.response_headers_policy_id
  }

  # /ws is the WebSocket stage "ws": CloudFront passes the upgrade through
  # with every viewer header but Host (Sec-WebSocket-Protocol carries the
  # token), never cached.
  ordered_cache_behavior {
    path_pattern             = "/${local.ws_stage}"
    target_origin_id         = local.websocket_origin_id
    viewer_protocol_policy   = "https-only"
    allowed_methods          = ["GET", "HEAD"]
    cached_methods           = ["GET", "HEAD"]
    compress                 = false
    cache_policy_id          = local.cache_policy_caching_disabled
    origin_request_policy_id = local.origin_request_policy_all_viewer_except_host
  }

  # Channel snapshots (feeds.tf): cached for their few seconds, readable
  # from any origin.
  ordered_cache_behavior {
    path_pattern               = "/feeds/*"
    target_origin_id           = local.feeds_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.feeds_cache_policy_id
    response_headers_policy_id = local.feeds_response_headers_policy_id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # With a custom domain, its ACM certificate and TLS 1.2 as the minimum; the
  # CloudFront domain's own certificate cannot refuse TLS 1.0 (AWS's rule).
  aliases = var.custom_domain == null ? [] : [var.custom_domain]

  viewer_certificate {
    cloudfront_default_certificate = var.custom_domain == null
    acm_certificate_arn            = var.custom_domain_certificate_arn
    ssl_support_method             = var.custom_domain == null ? null : "sni-only"
    minimum_protocol_version       = var.custom_domain == null ? null : "TLSv1.2_2021"
  }
}

locals {
  # Content types by file extension; anything else is application/octet-stream.
  spa_content_types = {
    css         = "text/css; charset=utf-8"
    html        = "text/html; charset=utf-8"
    ico         = "image/x-icon"
    jpg         = "image/jpeg"
    jpeg        = "image/jpeg"
    js          = "text/javascript; charset=utf-8"
    json        = "application/json"
    map         = "application/json"
    mjs         = "text/javascript; charset=utf-8"
    png         = "image/png"
    svg         = "image/svg+xml"
    txt         = "text/plain; charset=utf-8"
    webmanifest = "application/manifest+json"
    webp        = "image/webp"
    woff        = "font/woff"
    woff2       = "font/woff2"
    xml         = "application/xml"
  }

  # config.json is Terraform's own (config.tf), never a copy from the build.
  spa_files = toset([for f in fileset(local.spa_dist_dir, "**") : f if f != "config.json"])
}

resource "aws_s3_object" "spa" {
  for_each = local.spa_files

  bucket       = module.spa_bucket.id
  key          = each.key
  source       = "${local.spa_dist_dir}/${each.key}"
  source_hash  = filemd5("${local.spa_dist_dir}/${each.key}")
  content_type = lookup(local.spa_content_types, lower(reverse(split(".", each.key))[0]), "application/octet-stream")
  # Vite fingerprints everything under assets/, so it never changes; the rest
  # (index.html, the service worker, the manifest, icons) is revalidated on
  # every load so a deploy shows at once.
  cache_control = startswith(each.key, "assets/") ? "public, max-age=31536000, immutable" : "no-cache"
}
