
require_env POSTQ_KEYVAULT "Key Vault name"
require_env POSTQ_RESOURCE_GROUP "resource group of the App Service"
require_env POSTQ_WEBAPP "App Service name"
bind_certificate
echo "postq: $HOST is bound to $THUMBPRINT"
