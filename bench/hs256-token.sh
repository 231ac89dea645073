#!/usr/bin/env bash
# Mint an HS256 JWT for the bench-json route (no Java needed):
#   bench/hs256-token.sh SECRET [SUB=bench] [ROLES=user] [TTL_SECONDS=3600]
# issuer wsgate-bench, audience bench, roles as a JSON list (comma separated on the command line).
set -euo pipefail
secret=${1:?usage: $0 SECRET [SUB] [ROLES] [TTL_SECONDS]}
sub=${2:-bench} roles=${3:-user} ttl=${4:-3600}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
roles_json=$(printf '"%s",' ${roles//,/ })
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"wsgate-bench","aud":"bench","sub":"%s","roles":[%s],"iat":%d,"exp":%d,"jti":"bench-%d-%d"}' \
    "$sub" "${roles_json%,}" "$now" "$((now + ttl))" "$now" "$RANDOM" | b64url)
sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$sig"
