// Package formatter mirrors the parts of github.com/docker/cli/cli/command/formatter (20.10) templates see:
// an images row is a *imageContext whose values are methods; a table header is a SubHeaderContext.
package formatter

import (
	"encoding/json"

	"golden/types"
)

type HeaderContext struct {
	Header interface{}
}

type SubHeaderContext map[string]string

type imageContext struct {
	HeaderContext
	trunc  bool
	i      types.ImageSummary
	repo   string
	tag    string
	digest string
}

// columns holds each row's column texts (what docker's methods compute from the fields), outside the struct so
// that printing a row shows docker's fields only.
var columns = map[*imageContext]map[string]string{}

// NewImageRow is a row with the given column texts.
func NewImageRow(trunc bool, i types.ImageSummary, repo, tag, digest string, cols map[string]string) interface{} {
	c := &imageContext{trunc: trunc, i: i, repo: repo, tag: tag, digest: digest}
	columns[c] = cols
	return c
}

func (c *imageContext) MarshalJSON() ([]byte, error) { return json.Marshal(columns[c]) }
func (c *imageContext) Containers() string           { return columns[c]["Containers"] }
func (c *imageContext) CreatedAt() string            { return columns[c]["CreatedAt"] }
func (c *imageContext) CreatedSince() string         { return columns[c]["CreatedSince"] }
func (c *imageContext) Digest() string               { return columns[c]["Digest"] }
func (c *imageContext) ID() string                   { return columns[c]["ID"] }
func (c *imageContext) Repository() string           { return columns[c]["Repository"] }
func (c *imageContext) SharedSize() string           { return columns[c]["SharedSize"] }
func (c *imageContext) Size() string                 { return columns[c]["Size"] }
func (c *imageContext) Tag() string                  { return columns[c]["Tag"] }
func (c *imageContext) UniqueSize() string           { return columns[c]["UniqueSize"] }
func (c *imageContext) VirtualSize() string          { return columns[c]["VirtualSize"] }
