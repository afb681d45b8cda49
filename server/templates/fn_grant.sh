
# The App Service reads the certificate from Key Vault with its managed identity.
grant_identity() {
  local principal rbac vault_id
  echo "postq: granting the managed identity of $POSTQ_WEBAPP read access to $POSTQ_KEYVAULT"
  principal="$(az webapp identity assign \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --query principalId --output tsv)"
  if [ -z "$principal" ]; then
    die "could not read the managed identity of $POSTQ_WEBAPP"
  fi
  rbac="$(az keyvault show --name "$POSTQ_KEYVAULT" \
    --query properties.enableRbacAuthorization --output tsv)"
  if [ "$rbac" = "true" ]; then
    vault_id="$(az keyvault show --name "$POSTQ_KEYVAULT" --query id --output tsv)"
    az role assignment create \
      --assignee-object-id "$principal" \
      --assignee-principal-type ServicePrincipal \
      --role "Key Vault Secrets User" \
      --scope "$vault_id" \
      --output none
  else
    az keyvault set-policy \
      --name "$POSTQ_KEYVAULT" \
      --object-id "$principal" \
      --secret-permissions get \
      --certificate-permissions get \
      --output none
  fi
}
