package sealedstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MasterKey wraps and unwraps case keys. The default is a key file (FileMaster); a key
// management service (Vault transit, a cloud KMS, an HSM) implements the same three methods,
// so that the master key never leaves it. Implementations are safe for concurrent use.
type MasterKey interface {
	// ID names the key Wrap uses now; it is stored with every wrapped case key.
	ID() string
	// Wrap encrypts a case key with the current master key; aad binds it to its case.
	Wrap(ctx context.Context, caseKey, aad []byte) ([]byte, error)
	// Unwrap decrypts a case key that the master key named id wrapped. It fails when that
	// key is not (or no longer) known.
	Unwrap(ctx context.Context, id string, wrapped, aad []byte) ([]byte, error)
}

// ErrUnknownMasterKey is returned (wrapped) by Unwrap for a master key the key file does not
// hold (any more).
var ErrUnknownMasterKey = errors.New("sealedstore: unknown master key")

// FileMaster is a MasterKey from a key file: one AES-256 key per line as 64 hexadecimal
// characters (blank lines and lines starting with # are skipped). The first key is the
// current one, Wrap uses it; the others are older keys kept only until a rotation has
// re-wrapped every case key (Keyring.Rotate), then removed from the file. A key's id is the
// first 16 hexadecimal characters of its SHA-256.
type FileMaster struct {
	current string
	keys    map[string]cipher.AEAD
}

var _ MasterKey = (*FileMaster)(nil)

// ParseMasterKeys reads the text of a key file (also TAFEL_MASTER_KEY, where keys may be
// separated by commas).
func ParseMasterKeys(text string) (*FileMaster, error) {
	m := &FileMaster{keys: map[string]cipher.AEAD{}}
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, err := hex.DecodeString(line)
		if err != nil || len(key) != 32 {
			return nil, errors.New("sealedstore: a master key is 64 hexadecimal characters (32 bytes: openssl rand -hex 32)")
		}
		id := keyID(key)
		if _, dup := m.keys[id]; dup {
			continue
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		m.keys[id] = aead
		if m.current == "" {
			m.current = id
		}
	}
	if m.current == "" {
		return nil, errors.New("sealedstore: no master key in the key file")
	}
	return m, nil
}

// LoadMasterKeyFile reads a key file (see FileMaster).
func LoadMasterKeyFile(path string) (*FileMaster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sealedstore: read master key file: %w", err)
	}
	return ParseMasterKeys(string(b))
}

// GenerateMasterKeyFile writes a new key file with one fresh key at path (mode 0600), failing
// when the file exists.
func GenerateMasterKeyFile(path string) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sealedstore: create master key file: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s\n", hex.EncodeToString(key)); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// ID implements MasterKey.
func (m *FileMaster) ID() string { return m.current }

// IDs returns the ids of every key in the file, the current one first.
func (m *FileMaster) IDs() []string {
	out := []string{m.current}
	for id := range m.keys {
		if id != m.current {
			out = append(out, id)
		}
	}
	return out
}

// Wrap implements MasterKey.
func (m *FileMaster) Wrap(_ context.Context, caseKey, aad []byte) ([]byte, error) {
	return m.keys[m.current].Seal(nil, nil, caseKey, aad), nil
}

// Unwrap implements MasterKey.
func (m *FileMaster) Unwrap(_ context.Context, id string, wrapped, aad []byte) ([]byte, error) {
	aead, ok := m.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownMasterKey, id)
	}
	key, err := aead.Open(nil, nil, wrapped, aad)
	if err != nil {
		return nil, fmt.Errorf("sealedstore: unwrap with master key %q: %w", id, err)
	}
	return key, nil
}

func keyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// newAEAD is AES-256-GCM with a random 96-bit nonce per message, prepended to the ciphertext.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}
