
current_thumbprint() {
  az webapp show \
    --resource-group "$POSTQ_RESOURCE_GROUP" \
    --name "$POSTQ_WEBAPP" \
    --query "hostNameSslStates[?name=='${HOST}'].thumbprint | [0]" \
    --output tsv
}
