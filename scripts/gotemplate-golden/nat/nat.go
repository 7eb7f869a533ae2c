// Package nat mirrors github.com/docker/go-connections/nat's Port and PortSet.
package nat

type Port string

type PortSet map[Port]struct{}
