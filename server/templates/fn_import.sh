
BUNDLE_FILE=''
cleanup() {
  if [ -n "$BUNDLE_FILE" ]; then
    rm -f "$BUNDLE_FILE"
  fi
}
trap cleanup EXIT

# Key Vault imports a PEM file holding the certificate and its PKCS#8 key: no PFX
# and no other tooling needed.
import_certificate() {
  BUNDLE_FILE="$(umask 077 && mktemp "${TMPDIR:-/tmp}/postq-hybrid.XXXXXX")"
  cat "$CERT_FILE" "$KEY_FILE" >"$BUNDLE_FILE"
  echo "postq: importing $CERT_NAME into Key Vault $POSTQ_KEYVAULT"
  az keyvault certificate import \
    --vault-name "$POSTQ_KEYVAULT" \
    --name "$CERT_NAME" \
    --file "$BUNDLE_FILE" \
    --policy '{"secretProperties":{"contentType":"application/x-pem-file"},"keyProperties":{"exportable":true,"keyType":"EC","curve":"P-256","reuseKey":false}}' \
    --output none
  rm -f "$BUNDLE_FILE"
  BUNDLE_FILE=''
}
