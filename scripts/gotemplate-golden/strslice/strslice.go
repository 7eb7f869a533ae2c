// Package strslice mirrors github.com/docker/docker/api/types/strslice (Engine 20.10).
package strslice

type StrSlice []string
