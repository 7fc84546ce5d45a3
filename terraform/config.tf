# config.json tells the SPA where its API and its sign-in are; served uncached.

resource "aws_s3_object" "config" {
  bucket        = module.spa_bucket.id
  key           = "config.json"
  content_type  = "application/json"
  cache_control = "no-cache"
  content = jsonencode({
    apiURL        = local.api_url
    wsURL         = local.ws_url
    authority     = local.cognito_issuer
    clientID      = aws_cognito_user_pool_client.spa.id
    cognitoDomain = local.cognito_domain_url
  })
}
