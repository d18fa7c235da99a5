// Package layers holds the test that keeps the tree's import graph to the
// package table of docs/design.md: which packages of ours each package may
// import, and which package alone may import each third-party library.
// It has no code of its own besides the test.
package layers
