// gopkcs12 decodes a Recover answer's "PFX" the way keyfactor-go-client
// does before terraform reads it: base64.StdEncoding, then go-pkcs12's
// DecodeChain (Debian's software.sslmate.com/src/go-pkcs12, which the
// client's spbsoluble/go-pkcs12 is a fork of).  It prints what it found as
// JSON, or the decoder's error with exit status 1.
//
//	echo "$PFX" | gopkcs12 PASSWORD
package main

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

type found struct {
	KeyType  string   `json:"key_type"`
	KeyMatch bool     `json:"key_matches_leaf"`
	Leaf     string   `json:"leaf_serial"`
	LeafCN   string   `json:"leaf_cn"`
	Chain    []string `json:"chain_subjects"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gopkcs12 PASSWORD < base64")
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(in)))
	if err != nil {
		fail(err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(der, os.Args[1])
	if err != nil {
		fail(err)
	}
	f := found{Leaf: fmt.Sprintf("%X", leaf.SerialNumber), LeafCN: leaf.Subject.CommonName}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		f.KeyType, f.KeyMatch = "ECDSA", k.PublicKey.Equal(leaf.PublicKey)
	case *rsa.PrivateKey:
		f.KeyType, f.KeyMatch = "RSA", k.PublicKey.Equal(leaf.PublicKey)
	default:
		f.KeyType = fmt.Sprintf("%T", key)
	}
	for _, c := range chain {
		f.Chain = append(f.Chain, c.Subject.String())
	}
	out, _ := json.Marshal(f)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gopkcs12:", err)
	os.Exit(1)
}
