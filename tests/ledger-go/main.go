// Command ledgercheck verifies postq's audit-ledger evidence — the vectors in
// tests/vectors/ledger-tree.json, or a live server's dump in the same shape — with the Go
// checksum database's own packages, sharing no code with postq:
// golang.org/x/mod/sumdb/note checks the checkpoints' Ed25519 signed-note signatures and
// golang.org/x/mod/sumdb/tlog rebuilds the RFC 6962 tree from the leaves and checks (and
// regenerates) every inclusion and consistency proof.
//
// Usage: go run . FILE.json — prints one line per failure and "N passed, N failed".
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusionProof struct {
	LeafIndex     int64    `json:"leafIndex"`
	TreeSize      int64    `json:"treeSize"`
	InclusionPath []string `json:"inclusionPath"`
}

type consistencyProof struct {
	TreeSize1       int64    `json:"treeSize1"`
	TreeSize2       int64    `json:"treeSize2"`
	ConsistencyPath []string `json:"consistencyPath"`
}

type vectors struct {
	LedgerKey struct {
		JSON        string `json:"json"`
		Ed25519Vkey string `json:"ed25519Vkey"`
	} `json:"ledgerKey"`
	Leaves []struct {
		LeafData string `json:"leafData"`
		LeafHash string `json:"leafHash"`
	} `json:"leaves"`
	Roots []struct {
		TreeSize int64  `json:"treeSize"`
		Root     string `json:"root"`
	} `json:"roots"`
	InclusionProofs   []inclusionProof   `json:"inclusionProofs"`
	ConsistencyProofs []consistencyProof `json:"consistencyProofs"`
	SignedCheckpoints []struct {
		Name     string `json:"name"`
		TreeSize int64  `json:"treeSize"`
		Note     string `json:"note"`
	} `json:"signedCheckpoints"`
	InvalidCheckpoints []struct {
		Name             string `json:"name"`
		Note             string `json:"note"`
		GoEd25519Accepts bool   `json:"goEd25519Accepts"`
	} `json:"invalidCheckpoints"`
	InvalidInclusionProofs []struct {
		Name     string         `json:"name"`
		Proof    inclusionProof `json:"proof"`
		LeafHash string         `json:"leafHash"`
		Root     string         `json:"root"`
	} `json:"invalidInclusionProofs"`
	InvalidConsistencyProofs []struct {
		Name  string           `json:"name"`
		Proof consistencyProof `json:"proof"`
		Root1 string           `json:"root1"`
		Root2 string           `json:"root2"`
	} `json:"invalidConsistencyProofs"`
	Witness []struct {
		Name     string            `json:"name"`
		Held     string            `json:"held"`
		New      string            `json:"new"`
		Proof    *consistencyProof `json:"proof"`
		Expected string            `json:"expected"`
	} `json:"witness"`
}

// checkpoint is a parsed c2sp.org/tlog-checkpoint body.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

type checker struct {
	passed, failed int
}

func (c *checker) check(name string, err error) {
	if err != nil {
		c.failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	c.passed++
}

func hashes(texts []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(texts))
	for _, t := range texts {
		h, err := tlog.ParseHash(t)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 3 || !strings.HasSuffix(text, "\n") {
		return checkpoint{}, fmt.Errorf("checkpoint body is not three lines: %q", text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, err
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . FILE.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c := &checker{}
	run(c, &v)
	fmt.Printf("ledger-go: %d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 || c.passed == 0 {
		os.Exit(1)
	}
}

func run(c *checker, v *vectors) {
	// The ledger key: the verifier key parses, and is named after the log's origin.
	var key struct {
		Origin string `json:"origin"`
	}
	verifier, err := note.NewVerifier(v.LedgerKey.Ed25519Vkey)
	if err == nil {
		err = json.Unmarshal([]byte(v.LedgerKey.JSON), &key)
	}
	if err == nil && verifier.Name() != key.Origin {
		err = fmt.Errorf("vkey name %q is not the origin %q", verifier.Name(), key.Origin)
	}
	c.check("ledger key", err)
	if err != nil {
		return
	}
	verifiers := note.VerifierList(verifier)

	// Rebuild the tree from the leaf data with tlog's own storage layout.
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			if index < 0 || index >= int64(len(stored)) {
				return nil, fmt.Errorf("hash %d not stored", index)
			}
			out[i] = stored[index]
		}
		return out, nil
	})
	leafHashes := make([]tlog.Hash, len(v.Leaves))
	for i, leaf := range v.Leaves {
		name := fmt.Sprintf("leaf %d", i)
		want, err := tlog.ParseHash(leaf.LeafHash)
		if err == nil && tlog.RecordHash([]byte(leaf.LeafData)) != want {
			err = errors.New("leaf hash is not SHA-256(0x00 || leaf data)")
		}
		c.check(name, err)
		leafHashes[i] = tlog.RecordHash([]byte(leaf.LeafData))
		more, err := tlog.StoredHashes(int64(i), []byte(leaf.LeafData), reader)
		if err != nil {
			c.check(name+" stored hashes", err)
			return
		}
		stored = append(stored, more...)
	}
	roots := map[int64]tlog.Hash{}
	for _, r := range v.Roots {
		name := fmt.Sprintf("root at size %d", r.TreeSize)
		want, err := tlog.ParseHash(r.Root)
		if err == nil {
			var got tlog.Hash
			got, err = tlog.TreeHash(r.TreeSize, reader)
			if err == nil && got != want {
				err = fmt.Errorf("tlog computes %v, the file says %v", got, want)
			}
		}
		c.check(name, err)
		roots[r.TreeSize] = want
	}

	for _, p := range v.InclusionProofs {
		name := fmt.Sprintf("inclusion proof %d in %d", p.LeafIndex, p.TreeSize)
		path, err := hashes(p.InclusionPath)
		if err == nil {
			err = tlog.CheckRecord(path, p.TreeSize, roots[p.TreeSize], p.LeafIndex, leafHashes[p.LeafIndex])
		}
		if err == nil {
			var own tlog.RecordProof
			own, err = tlog.ProveRecord(p.TreeSize, p.LeafIndex, reader)
			if err == nil && !slices.Equal(own, path) {
				err = errors.New("tlog.ProveRecord makes a different path")
			}
		}
		c.check(name, err)
	}
	for _, p := range v.ConsistencyProofs {
		name := fmt.Sprintf("consistency proof %d to %d", p.TreeSize1, p.TreeSize2)
		path, err := hashes(p.ConsistencyPath)
		switch {
		case err != nil:
		case p.TreeSize1 == 0:
			// tlog has no proofs from the empty tree; docs/formats.md §7 makes them empty.
			if len(path) != 0 {
				err = errors.New("a proof from size 0 must be empty")
			}
		default:
			err = tlog.CheckTree(path, p.TreeSize2, roots[p.TreeSize2], p.TreeSize1, roots[p.TreeSize1])
			if err == nil {
				var own tlog.TreeProof
				own, err = tlog.ProveTree(p.TreeSize2, p.TreeSize1, reader)
				if err == nil && !slices.Equal(own, path) {
					err = errors.New("tlog.ProveTree makes a different path")
				}
			}
		}
		c.check(name, err)
	}

	// Signed checkpoints: the Ed25519 line verifies with sumdb/note; the ML-DSA-65 line
	// is a signature by a key note does not know, so it is kept unverified, not refused.
	notes := map[string]checkpoint{}
	for _, s := range v.SignedCheckpoints {
		name := "checkpoint " + s.Name
		cp, err := openCheckpoint(s.Note, verifiers, key.Origin)
		if err == nil && cp.size != s.TreeSize {
			err = fmt.Errorf("size %d, the file says %d", cp.size, s.TreeSize)
		}
		if err == nil && strings.HasPrefix(s.Name, "honest") && cp.root != roots[cp.size] {
			err = errors.New("root differs from the tree's")
		}
		c.check(name, err)
		notes[s.Name] = cp
	}
	for _, s := range v.InvalidCheckpoints {
		_, err := note.Open([]byte(s.Note), verifiers)
		var result error
		if (err == nil) != s.GoEd25519Accepts {
			result = fmt.Errorf("note.Open error = %v, expected accepted = %v", err, s.GoEd25519Accepts)
		}
		c.check("invalid checkpoint "+s.Name, result)
	}
	for _, p := range v.InvalidInclusionProofs {
		path, err := hashes(p.Proof.InclusionPath)
		leaf, err2 := tlog.ParseHash(p.LeafHash)
		root, err3 := tlog.ParseHash(p.Root)
		result := errors.Join(err, err2, err3)
		if result == nil && tlog.CheckRecord(path, p.Proof.TreeSize, root, p.Proof.LeafIndex, leaf) == nil {
			result = errors.New("tlog accepts it")
		}
		c.check("invalid inclusion proof "+p.Name, result)
	}
	for _, p := range v.InvalidConsistencyProofs {
		path, err := hashes(p.Proof.ConsistencyPath)
		root1, err2 := tlog.ParseHash(p.Root1)
		root2, err3 := tlog.ParseHash(p.Root2)
		result := errors.Join(err, err2, err3)
		if result == nil && tlog.CheckTree(path, p.Proof.TreeSize2, root2, p.Proof.TreeSize1, root1) == nil {
			result = errors.New("tlog accepts it")
		}
		c.check("invalid consistency proof "+p.Name, result)
	}

	// A witness written from docs/formats.md §7's table, on tlog.CheckTree.
	for _, w := range v.Witness {
		got := witness(notes, w.Held, w.New, w.Proof)
		var err error
		if got != w.Expected {
			err = fmt.Errorf("got %s, expected %s", got, w.Expected)
		}
		c.check("witness "+w.Name, err)
	}
}

func openCheckpoint(text string, verifiers note.Verifiers, origin string) (checkpoint, error) {
	n, err := note.Open([]byte(text), verifiers)
	if err != nil {
		return checkpoint{}, err
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 1 || n.UnverifiedSigs[0].Name != origin+"/mldsa65" {
		return checkpoint{}, fmt.Errorf("expected one Ed25519 and one unknown %s/mldsa65 signature", origin)
	}
	cp, err := parseCheckpoint(n.Text)
	if err == nil && cp.origin != origin {
		err = fmt.Errorf("origin %q, expected %q", cp.origin, origin)
	}
	return cp, err
}

func witness(notes map[string]checkpoint, held, next string, proof *consistencyProof) string {
	newCp := notes[next]
	if held == "" {
		return "first"
	}
	old := notes[held]
	switch {
	case newCp.size < old.size:
		return "ledger_shrink"
	case newCp.size == old.size && newCp.root != old.root:
		return "ledger_fork"
	case newCp.size == old.size:
		return "unchanged"
	case proof == nil || proof.TreeSize1 != old.size || proof.TreeSize2 != newCp.size:
		return "ledger_consistency_failed"
	case old.size == 0:
		if len(proof.ConsistencyPath) != 0 {
			return "ledger_consistency_failed"
		}
		return "extended"
	}
	path, err := hashes(proof.ConsistencyPath)
	if err != nil || tlog.CheckTree(path, newCp.size, newCp.root, old.size, old.root) != nil {
		return "ledger_consistency_failed"
	}
	return "extended"
}
