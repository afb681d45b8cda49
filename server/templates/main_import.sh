
require_env POSTQ_KEYVAULT "Key Vault name"
require_files
import_certificate
echo "postq: imported $CERT_NAME into $POSTQ_KEYVAULT"
