
# Cutover hardening: HTTPS only, TLS 1.2 minimum, FTPS only.
enforce_tls() {
  echo "postq: enforcing HTTPS-only, minimum TLS 1.2 and FTPS-only on $POSTQ_WEBAPP"
  az webapp update \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --https-only true \
    --output none
  az webapp config set \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --min-tls-version 1.2 \
    --ftps-state FtpsOnly \
    --output none
}
