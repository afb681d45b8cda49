
require_env POSTQ_KEYVAULT "Key Vault name"
require_env POSTQ_RESOURCE_GROUP "resource group of the App Service"
require_env POSTQ_WEBAPP "App Service name"
require_files
import_certificate
grant_identity
bind_certificate
enforce_tls
echo "postq: done; $HOST serves the hybrid certificate $THUMBPRINT"
