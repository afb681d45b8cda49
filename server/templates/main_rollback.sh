
require_env POSTQ_KEYVAULT "Key Vault name"
require_env POSTQ_RESOURCE_GROUP "resource group of the App Service"
require_env POSTQ_WEBAPP "App Service name"

bound="$(current_thumbprint)"
if [ "$bound" = "$THUMBPRINT" ]; then
  if [ -s "$PREVIOUS_FILE" ]; then
    previous="$(head -n 1 "$PREVIOUS_FILE")"
    echo "postq: binding the previous certificate $previous to $HOST again"
    az webapp config ssl bind \
      --resource-group "$POSTQ_RESOURCE_GROUP" \
      --name "$POSTQ_WEBAPP" \
      --certificate-thumbprint "$previous" \
      --ssl-type SNI \
      --hostname "$HOST" \
      --output none
  else
    echo "postq: unbinding $THUMBPRINT from $HOST"
    az webapp config ssl unbind \
      --resource-group "$POSTQ_RESOURCE_GROUP" \
      --name "$POSTQ_WEBAPP" \
      --certificate-thumbprint "$THUMBPRINT" \
      --hostname "$HOST" \
      --output none
  fi
else
  echo "postq: $HOST is not bound to $THUMBPRINT; its binding is left as it is"
fi
echo "postq: disabling the current version of $CERT_NAME in $POSTQ_KEYVAULT"
az keyvault certificate set-attributes \
  --vault-name "$POSTQ_KEYVAULT" \
  --name "$CERT_NAME" \
  --enabled false \
  --output none
echo "postq: rolled back; the previous binding is intact"
