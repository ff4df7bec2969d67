package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bookwell/bookwell/pkg/actionlink"
)

// ActionLinkKeyFiles are the key pair that signs (notifications) and checks
// (booking) emails' action links on this stack: made once in
// <state>/action-link/ and kept, so links in emails already sent keep
// working across restarts of make dev.
func ActionLinkKeyFiles(stateDir string) (signing, verify string, err error) {
	dir := filepath.Join(stateDir, "action-link")
	signing, verify = filepath.Join(dir, "signing-key.pem"), filepath.Join(dir, "verify-keys.pem")
	_, errS := os.Stat(signing)
	_, errV := os.Stat(verify)
	if errS == nil && errV == nil {
		return signing, verify, nil
	}
	if !errors.Is(errS, fs.ErrNotExist) && errS != nil {
		return "", "", errS
	}
	priv, pub, err := actionlink.GenerateKey()
	if err != nil {
		return "", "", fmt.Errorf("action link keys: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(signing, priv, 0o600); err != nil {
		return "", "", err
	}
	return signing, verify, os.WriteFile(verify, pub, 0o644)
}

// actionLinkEnv points notificationsd and bookingd at the stack's key pair,
// unless the environment names keys of its own.
func actionLinkEnv(stateDir string, env map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range []string{"ACTION_LINK_SIGNING_KEY", "ACTION_LINK_VERIFY_KEYS"} {
		for _, v := range []string{k, k + "_FILE"} {
			if env[v] != "" || os.Getenv(v) != "" {
				return out, nil
			}
		}
	}
	signing, verify, err := ActionLinkKeyFiles(stateDir)
	if err != nil {
		return nil, err
	}
	out["ACTION_LINK_SIGNING_KEY_FILE"], out["ACTION_LINK_VERIFY_KEYS_FILE"] = signing, verify
	return out, nil
}
