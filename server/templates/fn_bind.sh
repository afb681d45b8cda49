
# Bind with SNI. The certificate bound before (if any) is remembered for rollback.sh.
bind_certificate() {
  local previous
  previous="$(current_thumbprint)"
  if [ -n "$previous" ] && [ "$previous" != "None" ] && [ "$previous" != "$THUMBPRINT" ]; then
    printf '%s\n' "$previous" >"$PREVIOUS_FILE"
    echo "postq: the previous certificate $previous is kept; rollback.sh binds it again"
  fi
  echo "postq: importing $CERT_NAME from Key Vault into $POSTQ_WEBAPP"
  az webapp config ssl import \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --key-vault "$POSTQ_KEYVAULT" \
    --key-vault-certificate-name "$CERT_NAME" \
    --output none
  echo "postq: binding $THUMBPRINT to $HOST (SNI)"
  az webapp config ssl bind \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --certificate-thumbprint "$THUMBPRINT" \
    --ssl-type SNI \
    --hostname "$HOST" \
    --output none
}
