package azure

import (
	"fmt"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// newCredential builds the credential CredentialOptions select. Secrets are
// read here, from the environment variable or the file named in the
// options, and are never logged. customCloud disables Entra ID instance
// discovery, which only Azure's public authorities answer.
func newCredential(c CredentialOptions, co azcore.ClientOptions, customCloud bool) (azcore.TokenCredential, error) {
	switch c.Kind {
	case "client_secret":
		secret, err := readSecret(c)
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud})
	case "client_certificate":
		data, err := os.ReadFile(c.CertificateFile)
		if err != nil {
			return nil, fmt.Errorf("credential: certificate: %w", err)
		}
		var password []byte
		if c.SecretEnv != "" || c.SecretFile != "" {
			p, err := readSecret(c)
			if err != nil {
				return nil, err
			}
			password = []byte(p)
		}
		certs, key, err := azidentity.ParseCertificates(data, password)
		if err != nil {
			return nil, fmt.Errorf("credential: certificate %s: %w", c.CertificateFile, err)
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud})
	case "managed_identity":
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if c.ClientID != "" {
			o.ID = azidentity.ClientID(c.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	default:
		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: co, TenantID: c.TenantID, DisableInstanceDiscovery: customCloud})
	}
}

// readSecret returns the secret from SecretEnv or SecretFile, trimmed of
// surrounding white space. A secret file readable by others is refused.
func readSecret(c CredentialOptions) (string, error) {
	if c.SecretEnv != "" {
		s, ok := os.LookupEnv(c.SecretEnv)
		if !ok || strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("credential: environment variable %s is not set", c.SecretEnv)
		}
		return strings.TrimSpace(s), nil
	}
	fi, err := os.Stat(c.SecretFile)
	if err != nil {
		return "", fmt.Errorf("credential: secret file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("credential: secret file %s: mode %v lets others read it (chmod 600)", c.SecretFile, fi.Mode().Perm())
	}
	b, err := os.ReadFile(c.SecretFile)
	if err != nil {
		return "", fmt.Errorf("credential: secret file: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("credential: secret file %s is empty", c.SecretFile)
	}
	return s, nil
}
