package api

import "testing"

func TestStatusGroups(t *testing.T) {
	status := []byte("Name:\tcat\nUid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 1000 \nNSpid:\t1\n")
	if got := statusGroups(status); len(got) != 3 || got[0] != 4 || got[2] != 1000 {
		t.Errorf("groups %v", got)
	}
	if got := statusGroups([]byte("Groups:\t\n")); len(got) != 0 {
		t.Errorf("empty groups %v", got)
	}
}
