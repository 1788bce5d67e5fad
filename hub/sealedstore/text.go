package sealedstore

import (
	"encoding/base64"
	"errors"
	"strings"
)

// textPrefix marks a text sealed by SealText.
const textPrefix = "sealed:"

// IsSealedText reports whether s was made by SealText.
func IsSealedText(s string) bool { return strings.HasPrefix(s, textPrefix) }

func encodeText(b []byte) string { return textPrefix + base64.RawStdEncoding.EncodeToString(b) }

func decodeText(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, textPrefix)
	if !ok {
		return nil, errors.New("sealedstore: not a sealed text")
	}
	return base64.RawStdEncoding.DecodeString(rest)
}
