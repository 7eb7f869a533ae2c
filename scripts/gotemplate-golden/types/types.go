// Package types mirrors github.com/docker/docker/api/types (Engine 20.10): what `docker inspect` templates see.
package types

import (
	"time"

	"golden/container"
)

type GraphDriverData struct {
	Data map[string]string `json:"Data"`
	Name string            `json:"Name"`
}

type RootFS struct {
	Type      string
	Layers    []string `json:",omitempty"`
	BaseLayer string   `json:",omitempty"`
}

type ImageMetadata struct {
	LastTagTime time.Time `json:",omitempty"`
}

type ImageInspect struct {
	ID              string `json:"Id"`
	RepoTags        []string
	RepoDigests     []string
	Parent          string
	Comment         string
	Created         string
	Container       string
	ContainerConfig *container.Config
	DockerVersion   string
	Author          string
	Config          *container.Config
	Architecture    string
	Variant         string `json:",omitempty"`
	Os              string
	OsVersion       string `json:",omitempty"`
	Size            int64
	VirtualSize     int64
	GraphDriver     GraphDriverData
	RootFS          RootFS
	Metadata        ImageMetadata
}

type ImageSummary struct {
	Containers  int64
	Created     int64
	ID          string
	Labels      map[string]string
	ParentID    string
	RepoDigests []string
	RepoTags    []string
	SharedSize  int64
	Size        int64
	VirtualSize int64
}
