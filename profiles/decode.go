package profiles

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// TopKey is the one top-level key of profiles.yaml.
const TopKey = "profiles"

// Keys lists the keys of a profile in the order cdflogin writes them.
var Keys = []string{
	"tenant", "client_id", "cluster", "project", "flow",
	"provider", "issuer", "audience", "token_url", "groups_claim",
	"authority", "cdf_url", "scopes", "redirect_port", "login_hint",
	"client_secret", "certificate", "certificate_password", "ca_file", "default",
}

// textFields are the keys whose value is one text, each with its field:
// the one list that decoding, merging and encoding read, so a key cannot
// be known to one and missed by another. scopes, redirect_port and
// default have their own shapes.
var textFields = map[string]func(*Profile) *string{
	"tenant":               func(p *Profile) *string { return &p.Tenant },
	"client_id":            func(p *Profile) *string { return &p.ClientID },
	"cluster":              func(p *Profile) *string { return &p.Cluster },
	"project":              func(p *Profile) *string { return &p.Project },
	"flow":                 func(p *Profile) *string { return (*string)(&p.Flow) },
	"provider":             func(p *Profile) *string { return (*string)(&p.Provider) },
	"issuer":               func(p *Profile) *string { return &p.Issuer },
	"audience":             func(p *Profile) *string { return &p.Audience },
	"token_url":            func(p *Profile) *string { return &p.TokenURL },
	"groups_claim":         func(p *Profile) *string { return &p.GroupsClaimName },
	"authority":            func(p *Profile) *string { return &p.Authority },
	"cdf_url":              func(p *Profile) *string { return &p.CDFURL },
	"login_hint":           func(p *Profile) *string { return &p.LoginHint },
	"client_secret":        func(p *Profile) *string { return &p.ClientSecret },
	"certificate":          func(p *Profile) *string { return &p.Certificate },
	"certificate_password": func(p *Profile) *string { return &p.CertificatePassword },
	"ca_file":              func(p *Profile) *string { return &p.CAFile },
}

// document is a parsed profiles.yaml: the node tree, kept so that an edit
// changes only what it must and comments and key order survive.
type document struct {
	path    string
	root    *yaml.Node // DocumentNode; nil for an empty file
	top     *yaml.Node // top-level MappingNode; nil for an empty file
	list    *yaml.Node // the profiles MappingNode; nil when absent
	entries []entry
	crlf    bool
	indent  int
	// preamble is the text of a file that holds only comments (yaml.v3
	// gives no node for it); it is written back before the profiles.
	preamble []byte
}

// entry is one profile with its nodes.
type entry struct {
	key     *yaml.Node
	value   *yaml.Node
	profile Profile
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// MaxNesting is how deep the YAML of profiles.yaml may nest (a profile's
// scopes are 4 levels down); deeper files are refused before any work
// on them.
const MaxNesting = 32

// tooDeep returns the first node nested deeper than MaxNesting, or nil.
// Aliases are not followed (decodeProfileDepth bounds them).
func tooDeep(n *yaml.Node, depth int) *yaml.Node {
	if depth > MaxNesting {
		return n
	}
	for _, c := range n.Content {
		if d := tooDeep(c, depth+1); d != nil {
			return d
		}
	}
	return nil
}

// parseDocument reads profiles.yaml's bytes. Every problem is a
// *FileError with the line and column.
func parseDocument(path string, data []byte) (*document, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	doc := &document{path: path, crlf: bytes.Contains(data, []byte("\r\n")), indent: 2}
	ferr := func(n *yaml.Node, format string, a ...any) error {
		e := &FileError{Path: path, Msg: fmt.Sprintf(format, a...)}
		if n != nil {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	if !utf8.Valid(data) {
		line := bytes.Count(data[:invalidUTF8At(data)], []byte("\n")) + 1
		return nil, &FileError{Path: path, Line: line, Column: 1, Msg: "not UTF-8 text: save the file as UTF-8 (an editor may have written UTF-16 or Latin-1)"}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			for _, l := range bytes.Split(data, []byte("\n")) {
				if l = bytes.TrimSpace(l); bytes.HasPrefix(l, []byte("#")) {
					doc.preamble = append(append(doc.preamble, l...), '\n')
				}
			}
			return doc, nil
		}
		return nil, syntaxError(path, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ferr(&extra, "a second YAML document ('---') is not allowed: keep every profile under one %q key", TopKey)
	} else if err.Error() != "EOF" {
		return nil, syntaxError(path, data, err)
	}
	if n := tooDeep(&root, 0); n != nil {
		return nil, ferr(n, "nested more than %d levels deep: a profiles file needs a handful", MaxNesting)
	}
	doc.root = &root
	if len(root.Content) == 0 {
		return doc, nil
	}
	top := root.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return doc, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, ferr(top, "the file must be a mapping with a %q key, like:\n  profiles:\n    dev:\n      tenant: …", TopKey)
	}
	doc.top = top
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != TopKey && (strings.HasPrefix(k.Value, "x-") || strings.HasPrefix(k.Value, ".")) {
			continue // the user's own block, e.g. anchors shared by profiles
		}
		if k.Value != TopKey {
			msg := fmt.Sprintf("unknown top-level key %q", k.Value)
			if s := Nearest(k.Value, []string{TopKey}); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += fmt.Sprintf(": the only top-level key is %q (blocks of your own, e.g. for anchors, may start with \"x-\")", TopKey)
			}
			return nil, ferr(k, "%s", msg)
		}
		if doc.list != nil {
			return nil, ferr(k, "%q appears twice", TopKey)
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			// "profiles:" with nothing under it: make it an empty mapping
			// in place so that an add lands under it.
			v.Kind, v.Tag, v.Value, v.Style = yaml.MappingNode, "!!map", "", 0
		}
		if v.Kind != yaml.MappingNode {
			return nil, ferr(v, "%q must hold one entry per profile name (a mapping), not a %s", TopKey, kindName(v))
		}
		doc.list = v
		// Keep the file's own indentation: that of the profile names.
		if v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Content[0].Column > k.Column {
			doc.indent = v.Content[0].Column - k.Column
		}
	}
	if doc.list == nil {
		return doc, nil
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(doc.list.Content); i += 2 {
		k, v := doc.list.Content[i], doc.list.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, ferr(k, "a profile name must be plain text")
		}
		if err := ValidateName(k.Value); err != nil {
			return nil, ferr(k, "%v", err)
		}
		if prev, dup := seen[k.Value]; dup {
			return nil, ferr(k, "profile %q is defined twice (first at line %d)", k.Value, prev.Line)
		}
		seen[k.Value] = k
		p, err := decodeProfile(path, k.Value, v)
		if err != nil {
			return nil, err
		}
		doc.entries = append(doc.entries, entry{key: k, value: v, profile: p})
	}
	if doc.indent < 2 || doc.indent > 8 {
		doc.indent = 2
	}
	return doc, nil
}

// syntaxError turns a yaml.v3 parse error ("yaml: line N: msg") into a
// *FileError. yaml.v3 reports only the line; the column is that of the
// line's first non-blank character.
func syntaxError(path string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, aerr := strconv.Atoi(rest[:i]); aerr == nil {
				line, msg = n, rest[i+2:]
			}
		}
	}
	// yaml.v3 counts lines from 0 for parser errors (and prints none for
	// the first line), from 1 for scanner errors.
	if parserProblems[msg] {
		line++
		if strings.HasPrefix(msg, "did not find expected") {
			msg += " (yaml reports where the enclosing block starts: look for a wrongly indented or unclosed line from here on)"
		}
	}
	col := 0
	if line > 0 {
		lines := bytes.Split(data, []byte("\n"))
		if line <= len(lines) {
			l := lines[line-1]
			col = len(l) - len(bytes.TrimLeft(l, " \t")) + 1
		}
	}
	if strings.Contains(msg, "found character that cannot start any token") {
		msg += " (a tab used for indentation? YAML needs spaces)"
	}
	return &FileError{Path: path, Line: line, Column: col, Msg: "not valid YAML: " + msg}
}

// parserProblems are the messages of yaml.v3's parser (not scanner) errors.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "single value"
}

// decodeProfile reads one profile's mapping strictly: unknown keys,
// repeated keys and wrong types are errors with their position. YAML merge
// keys (<<: *anchor) are followed.
func decodeProfile(path, name string, n *yaml.Node) (Profile, error) {
	budget := maxMerges
	return decodeProfileDepth(path, name, n, 0, &budget)
}

// maxMerges bounds the merge-key mappings one profile may pull in, so that
// a file of nested aliases cannot make decoding explode.
const maxMerges = 64

func decodeProfileDepth(path, name string, n *yaml.Node, depth int, budget *int) (p Profile, err error) {
	p.Name = name
	ferr := func(at *yaml.Node, format string, a ...any) error {
		return &FileError{Path: path, Line: at.Line, Column: at.Column, Msg: fmt.Sprintf("profile %q: ", name) + fmt.Sprintf(format, a...)}
	}
	// An empty entry ("dev:" or "dev: ''") is a profile with no settings
	// yet; validation names what is missing. yaml.v3 writes an empty null
	// inside a flow mapping back as '', so both forms must read the same.
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || (n.Tag == "!!str" && n.Value == "")) {
		return p, nil
	}
	if n.Kind != yaml.MappingNode {
		return p, ferr(n, "must be a mapping of settings (tenant, client_id, …), not a %s", kindName(n))
	}
	seen := map[string]bool{}
	var merged []Profile
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p, ferr(k, "a key must be plain text")
		}
		key := k.Value
		if seen[key] {
			return p, ferr(k, "key %q appears twice", key)
		}
		seen[key] = true
		if key == "<<" && k.Tag == "!!merge" {
			// YAML merge key: settings shared through an anchor, e.g.
			// <<: *defaults. The profile's own keys win.
			targets := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				targets = v.Content
			}
			for _, tn := range targets {
				if tn.Kind != yaml.AliasNode || tn.Alias == nil || tn.Alias.Kind != yaml.MappingNode {
					return p, ferr(tn, "<< must name a mapping with an alias, e.g. <<: *defaults")
				}
				*budget--
				if depth > 8 || *budget < 0 {
					return p, ferr(tn, "<< merges are nested too deeply or too many")
				}
				m, err := decodeProfileDepth(path, name, tn.Alias, depth+1, budget)
				if err != nil {
					return p, err
				}
				merged = append(merged, m)
			}
			continue
		}
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		str := func() (string, error) {
			if v.Kind != yaml.ScalarNode {
				return "", ferr(v, "%s must be a single value, not a %s", key, kindName(v))
			}
			if v.Tag == "!!null" {
				return "", nil
			}
			return v.Value, nil
		}
		var err error
		field, isText := textFields[key]
		switch {
		case isText:
			*field(&p), err = str()
		case key == "scopes":
			switch v.Kind {
			case yaml.SequenceNode:
				for _, item := range v.Content {
					if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
						return p, ferr(item, "each scope must be text, e.g. https://api.cognitedata.com/.default")
					}
					p.Scopes = append(p.Scopes, item.Value)
				}
			case yaml.ScalarNode:
				if v.Tag != "!!null" {
					p.Scopes = ParseScopes(v.Value)
				}
			default:
				return p, ferr(v, "scopes must be a list of scopes")
			}
		case key == "redirect_port":
			var s string
			if s, err = str(); err == nil && s != "" {
				port, aerr := strconv.Atoi(s)
				if aerr != nil {
					return p, ferr(v, "redirect_port %q is not a number: use 1–65535 (default %d)", s, DefaultRedirectPort)
				}
				p.RedirectPort = port
			}
		case key == "default":
			var s string
			if s, err = str(); err == nil && s != "" {
				switch strings.ToLower(s) {
				case "true", "yes", "on":
					p.Default = true
				case "false", "no", "off":
					p.Default = false
				default:
					return p, ferr(v, "default must be true or false, not %q", s)
				}
			}
		default:
			msg := fmt.Sprintf("unknown key %q", key)
			if s := Nearest(key, Keys); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys: " + strings.Join(Keys, ", ")
			}
			return p, ferr(k, "%s", msg)
		}
		if err != nil {
			return p, err
		}
	}
	// Earlier merges win over later ones, own keys over all (YAML 1.1).
	for i := len(merged) - 1; i >= 0; i-- {
		for _, key := range Keys {
			if !seen[key] {
				copyField(&p, merged[i], key)
			}
		}
	}
	return p, nil
}

// copyField sets the field of dst named by key to src's when src has one.
func copyField(dst *Profile, src Profile, key string) {
	if field, ok := textFields[key]; ok {
		if v := *field(&src); v != "" {
			*field(dst) = v
		}
		return
	}
	switch key {
	case "scopes":
		if len(src.Scopes) > 0 {
			dst.Scopes = append([]string(nil), src.Scopes...)
		}
	case "redirect_port":
		if src.RedirectPort != 0 {
			dst.RedirectPort = src.RedirectPort
		}
	case "default":
		if src.Default {
			dst.Default = true
		}
	}
}

// fieldValues returns p as key → value node (nil for an unset key), in
// Keys order.
func fieldNodes(p Profile) map[string]*yaml.Node {
	str := func(s string) *yaml.Node {
		if s == "" {
			return nil
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	}
	m := map[string]*yaml.Node{}
	for key, field := range textFields {
		m[key] = str(*field(&p))
	}
	if len(p.Scopes) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, s := range p.Scopes {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
		}
		m["scopes"] = seq
	}
	if p.RedirectPort != 0 {
		m["redirect_port"] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(p.RedirectPort)}
	}
	if p.Default {
		m["default"] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	}
	return m
}

// encodeProfile is a new mapping node for p, keys in Keys order.
func encodeProfile(p Profile) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	vals := fieldNodes(p)
	for _, k := range Keys {
		if v := vals[k]; v != nil {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v)
		}
	}
	return m
}

// applyProfile changes the mapping n so that it says p, touching only the
// keys whose value changed: other keys keep their place and comments,
// changed scalars keep their comments, new keys go after the last known
// key that precedes them in Keys order, cleared keys are removed.
func applyProfile(n *yaml.Node, old, p Profile) {
	if n.Kind != yaml.MappingNode {
		*n = *encodeProfile(p)
		return
	}
	oldVals, newVals := fieldNodes(old), fieldNodes(p)
	for ki, key := range Keys {
		ov, nv := oldVals[key], newVals[key]
		if nodesEqual(ov, nv) {
			continue
		}
		idx := indexOfKey(n, key)
		switch {
		case nv == nil && idx >= 0:
			n.Content = append(n.Content[:idx], n.Content[idx+2:]...)
		case nv != nil && idx >= 0:
			cur := n.Content[idx+1]
			if cur.Kind == yaml.ScalarNode && nv.Kind == yaml.ScalarNode {
				cur.Value, cur.Tag, cur.Style = nv.Value, nv.Tag, 0
			} else {
				nv.HeadComment, nv.LineComment, nv.FootComment = cur.HeadComment, cur.LineComment, cur.FootComment
				n.Content[idx+1] = nv
			}
		case nv != nil:
			at := len(n.Content)
			for j := ki - 1; j >= 0; j-- {
				if prev := indexOfKey(n, Keys[j]); prev >= 0 {
					at = prev + 2
					break
				}
			}
			kn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
			n.Content = append(n.Content[:at], append([]*yaml.Node{kn, nv}, n.Content[at:]...)...)
		}
	}
}

func indexOfKey(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func nodesEqual(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !nodesEqual(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// encode renders the document with the file's own indentation and line
// endings.
func (d *document) encode() ([]byte, error) {
	var buf bytes.Buffer
	if d.top != nil && len(d.preamble) > 0 {
		buf.Write(d.preamble)
		buf.WriteByte('\n')
	}
	if d.root != nil && d.top != nil {
		fixEmptyCollections(d.root)
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(d.indent)
		if err := enc.Encode(d.root); err != nil {
			return nil, fmt.Errorf("encode %s: %w", d.path, err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encode %s: %w", d.path, err)
		}
	}
	out := buf.Bytes()
	if d.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out, nil
}

// ensureList makes sure the document has a profiles mapping to add to.
func (d *document) ensureList() {
	if d.list != nil {
		return
	}
	if d.top == nil {
		d.top = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if d.root == nil || len(d.root.Content) == 0 {
			head := ""
			if d.root != nil {
				head = d.root.HeadComment
			}
			d.root = &yaml.Node{Kind: yaml.DocumentNode, HeadComment: head, Content: []*yaml.Node{d.top}}
		} else {
			// A null document (e.g. only comments): keep its comments.
			old := d.root.Content[0]
			d.top.HeadComment, d.top.FootComment = old.HeadComment, old.FootComment
			d.root.Content[0] = d.top
		}
	}
	d.list = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	d.top.Content = append(d.top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: TopKey}, d.list)
}

func (d *document) find(name string) int {
	for i, e := range d.entries {
		if e.profile.Name == name {
			return i
		}
	}
	return -1
}

func (d *document) names() []string {
	out := make([]string, len(d.entries))
	for i, e := range d.entries {
		out[i] = e.profile.Name
	}
	return out
}

// fieldPos is the position of a profile's field in the file (the value,
// else the key, else the profile's name).
func (e entry) fieldPos(field string) (int, int) {
	if field != "name" && e.value.Kind == yaml.MappingNode {
		if i := indexOfKey(e.value, field); i >= 0 {
			return e.value.Content[i+1].Line, e.value.Content[i+1].Column
		}
	}
	return e.key.Line, e.key.Column
}

func newKey(name string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}
}

// fixEmptyCollections works around yaml.v3 writing "key: #c\n{}" (which
// does not parse) for an empty block mapping or list whose key carries a
// line comment: such a value is written in flow style, "key: {} #c".
func fixEmptyCollections(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && len(v.Content) == 0 {
				v.Style |= yaml.FlowStyle
				if k.LineComment != "" && v.LineComment == "" {
					v.LineComment, k.LineComment = k.LineComment, ""
				}
			}
		}
	}
	for _, c := range n.Content {
		fixEmptyCollections(c)
	}
}

// invalidUTF8At is the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
